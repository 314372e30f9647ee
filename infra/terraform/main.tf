locals {
  prefix = "${var.name}-${var.environment}"
  # Names without dashes for the resources that refuse them (ACR), at most 24 characters for Key Vault.
  compact = replace(local.prefix, "-", "")
  tags    = merge({ application = var.name, environment = var.environment }, var.tags)
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "main" {
  name     = "${local.prefix}-rg"
  location = var.location
  tags     = local.tags
}

resource "azurerm_log_analytics_workspace" "main" {
  name                = "${local.prefix}-logs"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  tags                = local.tags
}

resource "azurerm_application_insights" "main" {
  name                = "${local.prefix}-appinsights"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  workspace_id        = azurerm_log_analytics_workspace.main.id
  application_type    = "Node.JS"
  tags                = local.tags
}

resource "azurerm_container_registry" "main" {
  name                    = "${local.compact}acr"
  location                = azurerm_resource_group.main.location
  resource_group_name     = azurerm_resource_group.main.name
  sku                     = "Premium"
  admin_enabled           = false
  zone_redundancy_enabled = true
  tags                    = local.tags
}
