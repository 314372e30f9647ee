variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "switchyard"
}

variable "environment" {
  description = "dev, staging or prod; part of every resource name."
  type        = string
}

variable "location" {
  description = "The primary region: AKS, Redis, Key Vault, Azure OpenAI and the first Cosmos DB region."
  type        = string
}

variable "cosmos_regions" {
  description = "Cosmos DB regions in failover priority order; the first is the primary (write) region."
  type        = list(string)
  validation {
    condition     = length(var.cosmos_regions) >= 3
    error_message = "Cosmos DB runs in at least three regions (RPO < 5 min across a regional outage)."
  }
}

variable "cosmos_multi_region_writes" {
  description = "Accept writes in every region (conflicts resolved last-writer-wins); false: one write region with automatic failover."
  type        = bool
  default     = false
}

variable "embedding_dimensions" {
  description = "Vector length of the embedding model (text-embedding-3-small: 1536); names the knowledge vector container."
  type        = number
  default     = 1536
}

variable "kubernetes_version" {
  type    = string
  default = "1.30"
}

variable "node_vm_size" {
  type    = string
  default = "Standard_D4s_v5"
}

variable "node_min_count" {
  type    = number
  default = 3
}

variable "node_max_count" {
  type    = number
  default = 12
}

variable "redis_sku" {
  description = "Azure Cache for Redis SKU: Standard (replicated) or Premium (zones)."
  type        = string
  default     = "Premium"
}

variable "openai_deployments" {
  description = "Azure OpenAI model deployments: name -> model, version and capacity (thousands of tokens per minute)."
  type = map(object({
    model    = string
    version  = string
    capacity = number
  }))
  default = {
    "gpt-4o-mini"            = { model = "gpt-4o-mini", version = "2024-07-18", capacity = 100 }
    "text-embedding-3-small" = { model = "text-embedding-3-small", version = "1", capacity = 100 }
  }
}

variable "public_host" {
  description = "The host name clients use (a custom domain on Front Door), e.g. switchyard.example.com."
  type        = string
}

variable "ingress_origin_host" {
  description = "Where Front Door sends traffic: the AKS ingress controller's public host name or address."
  type        = string
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
