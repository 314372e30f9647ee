# The public edge: TLS, WAF-ready, and the route to the AKS ingress controller. Front Door passes
# WebSocket upgrades through, so graphql-ws subscriptions work on the same /graphql route.
resource "azurerm_cdn_frontdoor_profile" "main" {
  name                     = "${local.prefix}-fd"
  resource_group_name      = azurerm_resource_group.main.name
  sku_name                 = "Premium_AzureFrontDoor"
  response_timeout_seconds = 240
  tags                     = local.tags
}

resource "azurerm_cdn_frontdoor_endpoint" "main" {
  name                     = "${local.prefix}-edge"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.main.id
}

resource "azurerm_cdn_frontdoor_origin_group" "gateway" {
  name                     = "gateway"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.main.id
  session_affinity_enabled = false

  load_balancing {
    sample_size                 = 4
    successful_samples_required = 3
  }

  health_probe {
    path                = "/readyz"
    protocol            = "Https"
    request_type        = "GET"
    interval_in_seconds = 30
  }
}

resource "azurerm_cdn_frontdoor_origin" "ingress" {
  name                           = "aks-ingress"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.gateway.id
  enabled                        = true
  host_name                      = var.ingress_origin_host
  origin_host_header             = var.public_host
  http_port                      = 80
  https_port                     = 443
  certificate_name_check_enabled = true
  priority                       = 1
  weight                         = 1000
}

resource "azurerm_cdn_frontdoor_custom_domain" "public" {
  name                     = replace(var.public_host, ".", "-")
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.main.id
  host_name                = var.public_host
  tls {
    certificate_type = "ManagedCertificate"
  }
}

resource "azurerm_cdn_frontdoor_route" "gateway" {
  name                            = "gateway"
  cdn_frontdoor_endpoint_id       = azurerm_cdn_frontdoor_endpoint.main.id
  cdn_frontdoor_origin_group_id   = azurerm_cdn_frontdoor_origin_group.gateway.id
  cdn_frontdoor_origin_ids        = [azurerm_cdn_frontdoor_origin.ingress.id]
  cdn_frontdoor_custom_domain_ids = [azurerm_cdn_frontdoor_custom_domain.public.id]
  supported_protocols             = ["Https"]
  https_redirect_enabled          = false
  patterns_to_match               = ["/*"]
  forwarding_protocol             = "HttpsOnly"
  link_to_default_domain          = true
  # GraphQL answers are per tenant: never cached at the edge.
}
