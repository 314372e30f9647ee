# Pub/sub between workflows replicas and the gateway's shared rate limits (REDIS_URL).
resource "azurerm_redis_cache" "main" {
  name                 = "${local.prefix}-redis"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  sku_name             = var.redis_sku
  family               = var.redis_sku == "Premium" ? "P" : "C"
  capacity             = 1
  minimum_tls_version  = "1.2"
  non_ssl_port_enabled = false
  zones                = var.redis_sku == "Premium" ? ["1", "2", "3"] : null
  redis_configuration {}
  tags = local.tags
}
