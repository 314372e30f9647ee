terraform {
  required_version = ">= 1.6.0"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.14"
    }
    # Cosmos DB vector policies are not in azurerm yet; that one container goes through the ARM API.
    azapi = {
      source  = "azure/azapi"
      version = "~> 2.2"
    }
  }
}

provider "azurerm" {
  features {
    key_vault {
      purge_soft_delete_on_destroy = false
    }
  }
}

provider "azapi" {}
