# The document-store containers every service opens (libs/store CosmosStore: `<service>-<collection>`,
# partition key /tenantId, composite indexes derived from the collection options). Created here because
# the services reach Cosmos DB with Entra ID, whose data-plane roles cannot create containers.
# infra/test/terraform.test.ts fails when this list differs from what the services open.
locals {
  store_containers = {
    "billing-alert_events" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/ruleId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/ruleId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/ruleId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/ruleId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/deliveryState", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/deliveryState", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/deliveryState", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/deliveryState", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/nextAttemptAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/nextAttemptAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/nextAttemptAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/nextAttemptAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-alert_rule_states" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-alert_rules" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/enabled", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/enabled", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/enabled", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/enabled", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-api_key_budgets" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-budget_alerts" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/month", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/month", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/month", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/month", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/deliveryState", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/deliveryState", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/deliveryState", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/deliveryState", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/nextAttemptAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/nextAttemptAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/nextAttemptAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/nextAttemptAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-budget_ledgers" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-budgets" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-negotiated_prices" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/model", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/model", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/model", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/model", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/effectiveFrom", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/effectiveFrom", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/effectiveFrom", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/effectiveFrom", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/model", order = "ascending" }, { path = "/effectiveFrom", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/model", order = "descending" }, { path = "/effectiveFrom", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/model", order = "ascending" }, { path = "/effectiveFrom", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/model", order = "descending" }, { path = "/effectiveFrom", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-spend_counters" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-statements" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/month", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/month", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/month", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/month", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-usage_estimates" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "billing-usage_records" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/workflowId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/workflowId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/workflowId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/workflowId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-autogen-group-chats" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-crewai-crew_runs" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-langgraph-lg_blobs" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-langgraph-lg_checkpoints" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/checkpointId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/checkpointId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/checkpointId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/checkpointId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/checkpointNs", order = "ascending" }, { path = "/checkpointId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/checkpointNs", order = "descending" }, { path = "/checkpointId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/checkpointNs", order = "ascending" }, { path = "/checkpointId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/checkpointNs", order = "descending" }, { path = "/checkpointId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-langgraph-lg_graph_definition_versions" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/definitionId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/definitionId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/definitionId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/definitionId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/version", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/version", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/version", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/version", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-langgraph-lg_graph_definitions" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-langgraph-lg_runs" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "engine-langgraph-lg_writes" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/checkpointNs", order = "ascending" }, { path = "/checkpointId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/checkpointNs", order = "descending" }, { path = "/checkpointId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/threadId", order = "ascending" }, { path = "/checkpointNs", order = "ascending" }, { path = "/checkpointId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/threadId", order = "descending" }, { path = "/checkpointNs", order = "descending" }, { path = "/checkpointId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "knowledge-chunks" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/documentId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/documentId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/documentId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/documentId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "knowledge-documents" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "selection-framework-preferences" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "selection-recommendation-outcomes" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "selection-recommendations" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "selection-selection-settings" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-api_key_index" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-api_keys" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-audit_log" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-credential_changes" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/at", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/at", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-credential_generation" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-integration_secrets" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/integration", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/integration", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/integration", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/integration", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-tenants" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "tenants-tool_settings" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "workflows-idempotency_keys" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "workflows-quota_counters" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "workflows-usage_outbox" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/queuedAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/queuedAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/queuedAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/queuedAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "workflows-workflow_events" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/workflowId", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/workflowId", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/workflowId", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/workflowId", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/sequence", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/sequence", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/sequence", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/sequence", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/workflowId", order = "ascending" }, { path = "/sequence", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/workflowId", order = "descending" }, { path = "/sequence", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/workflowId", order = "ascending" }, { path = "/sequence", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/workflowId", order = "descending" }, { path = "/sequence", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
    "workflows-workflows" = [
      [{ path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/status", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/status", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/status", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/status", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/createdAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/createdAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
      [{ path = "/updatedAt", order = "ascending" }, { path = "/id", order = "ascending" }],
      [{ path = "/updatedAt", order = "descending" }, { path = "/id", order = "descending" }],
      [{ path = "/updatedAt", order = "ascending" }, { path = "/id", order = "ascending" }, { path = "/tenantId", order = "ascending" }],
      [{ path = "/updatedAt", order = "descending" }, { path = "/id", order = "descending" }, { path = "/tenantId", order = "descending" }],
    ]
  }
}
