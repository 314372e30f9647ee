import { Link, useLocation } from '../router.tsx';
import { ApiKeysPanel } from '../admin/api-keys-panel.tsx';
import { BudgetPanel } from '../admin/budget-panel.tsx';
import { AlertsPanel } from '../admin/alerts-panel.tsx';
import { UsagePanel } from '../admin/usage-panel.tsx';
import { StatementsPanel } from '../admin/statements-panel.tsx';
import { ToolsPanel } from '../admin/tools-panel.tsx';
import { KnowledgePanel } from '../admin/knowledge-panel.tsx';
import { SelectionPanel } from '../admin/selection-panel.tsx';
import { BrandingPanel } from '../admin/branding-panel.tsx';

const TABS = [
  { slug: 'keys', label: 'API keys', panel: ApiKeysPanel },
  { slug: 'budget', label: 'Budgets', panel: BudgetPanel },
  { slug: 'alerts', label: 'Alerts', panel: AlertsPanel },
  { slug: 'usage', label: 'Usage', panel: UsagePanel },
  { slug: 'statements', label: 'Statements', panel: StatementsPanel },
  { slug: 'tools', label: 'Tools & MCP', panel: ToolsPanel },
  { slug: 'knowledge', label: 'Knowledge', panel: KnowledgePanel },
  { slug: 'selection', label: 'Selection pins', panel: SelectionPanel },
  { slug: 'branding', label: 'Branding', panel: BrandingPanel },
] as const;

export function AdminPage() {
  const { path } = useLocation();
  const slug = path.split('/')[2] ?? 'keys';
  const tab = TABS.find((t) => t.slug === slug) ?? TABS[0];
  const Panel = tab.panel;
  return (
    <>
      <h1>Tenant admin</h1>
      <nav aria-label="Tenant admin" className="tabs">
        <ul>
          {TABS.map((t) => (
            <li key={t.slug}>
              <Link to={`/admin/${t.slug}`} aria-current={t.slug === tab.slug ? 'page' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Panel />
    </>
  );
}
