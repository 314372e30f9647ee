resource "azurerm_key_vault" "main" {
  name                       = substr("${local.prefix}-kv", 0, 24)
  location                   = azurerm_resource_group.main.location
  resource_group_name        = azurerm_resource_group.main.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  enable_rbac_authorization  = true
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
  tags                       = local.tags
}

# The key that wraps tenants' integration secrets (KEY_VAULT_KEY_ID of the tenants service).
resource "azurerm_key_vault_key" "kek" {
  name         = "switchyard-kek"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  depends_on   = [azurerm_role_assignment.deployer_key_vault]
}

# The Redis URL with its access key, synced into the cluster by the CSI driver (REDIS_URL).
resource "azurerm_key_vault_secret" "redis_url" {
  name         = "switchyard-redis-url"
  key_vault_id = azurerm_key_vault.main.id
  value        = "rediss://:${azurerm_redis_cache.main.primary_access_key}@${azurerm_redis_cache.main.hostname}:${azurerm_redis_cache.main.ssl_port}"
  depends_on   = [azurerm_role_assignment.deployer_key_vault]
}
# switchyard-context-secret (SWITCHYARD_CONTEXT_SECRET) is created by hand, never by Terraform,
# so it is not in the state: see docs/deploy.md.

# Whoever runs Terraform writes the key and the Redis secret above.
resource "azurerm_role_assignment" "deployer_key_vault" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Administrator"
  principal_id         = data.azurerm_client_config.current.object_id
}
