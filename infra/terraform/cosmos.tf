resource "azurerm_cosmosdb_account" "main" {
  name                = "${local.prefix}-cosmos"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  offer_type          = "Standard"
  kind                = "GlobalDocumentDB"

  automatic_failover_enabled       = true
  multiple_write_locations_enabled = var.cosmos_multi_region_writes
  # Services sign in with Entra ID (workload identity); account keys stay unused.
  local_authentication_disabled = true

  consistency_policy {
    consistency_level = "Session"
  }

  dynamic "geo_location" {
    for_each = var.cosmos_regions
    content {
      location          = geo_location.value
      failover_priority = geo_location.key
      zone_redundant    = true
    }
  }

  # Point-in-time restore to any second of the last 30 days.
  backup {
    type = "Continuous"
    tier = "Continuous30Days"
  }

  capabilities {
    name = "EnableNoSQLVectorSearch"
  }

  tags = local.tags
}

resource "azurerm_cosmosdb_sql_database" "main" {
  name                = "switchyard"
  resource_group_name = azurerm_resource_group.main.name
  account_name        = azurerm_cosmosdb_account.main.name
  autoscale_settings {
    max_throughput = 4000
  }
}

resource "azurerm_cosmosdb_sql_container" "store" {
  for_each              = local.store_containers
  name                  = each.key
  resource_group_name   = azurerm_resource_group.main.name
  account_name          = azurerm_cosmosdb_account.main.name
  database_name         = azurerm_cosmosdb_sql_database.main.name
  partition_key_paths   = ["/tenantId"]
  partition_key_version = 2

  indexing_policy {
    indexing_mode = "consistent"
    included_path {
      path = "/*"
    }
    dynamic "composite_index" {
      for_each = each.value
      content {
        dynamic "index" {
          for_each = composite_index.value
          content {
            path  = index.value.path
            order = index.value.order
          }
        }
      }
    }
  }
}

# The knowledge service's vectors (libs/store CosmosVectorIndex: `knowledge-chunk-vectors-d<n>`):
# float32 embeddings at /embedding, cosine distance, a quantizedFlat index searched inside the
# tenant's partition. A new embedding length needs a new container here before documents are ingested again.
resource "azapi_resource" "knowledge_vectors" {
  type      = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15"
  name      = "knowledge-chunk-vectors-d${var.embedding_dimensions}"
  parent_id = azurerm_cosmosdb_sql_database.main.id
  body = {
    properties = {
      resource = {
        id = "knowledge-chunk-vectors-d${var.embedding_dimensions}"
        partitionKey = {
          paths   = ["/tenantId"]
          kind    = "Hash"
          version = 2
        }
        indexingPolicy = {
          indexingMode  = "consistent"
          includedPaths = [{ path = "/*" }]
          excludedPaths = [{ path = "/embedding/*" }]
          vectorIndexes = [{ path = "/embedding", type = "quantizedFlat" }]
        }
        vectorEmbeddingPolicy = {
          vectorEmbeddings = [{
            path             = "/embedding"
            dataType         = "float32"
            distanceFunction = "cosine"
            dimensions       = var.embedding_dimensions
          }]
        }
      }
    }
  }
}
