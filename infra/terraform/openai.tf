resource "azurerm_cognitive_account" "openai" {
  name                  = "${local.prefix}-openai"
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "${local.prefix}-openai"
  # Entra ID only (the pods' workload identity): no API key to leak.
  local_auth_enabled = false
  tags               = local.tags
}

resource "azurerm_cognitive_deployment" "models" {
  for_each             = var.openai_deployments
  name                 = each.key
  cognitive_account_id = azurerm_cognitive_account.openai.id
  model {
    format  = "OpenAI"
    name    = each.value.model
    version = each.value.version
  }
  sku {
    name     = "Standard"
    capacity = each.value.capacity
  }
}
