import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { CreateTenantDocument, StartWorkflowDocument, WorkflowDocument } from '@switchyard/client';
import { startTestStack, type TestStack } from '@switchyard/testkit';
import { ensureConsoleBuild } from '../../../tools/console/console-build.ts';
import { startOpenIdProvider } from './openid-provider.ts';

// The console in a real browser (Debian's Chromium driven by playwright-core) against the whole
// platform started in-process. .ci/run installs chromium and sets SWITCHYARD_REQUIRE_BROWSER=1, so
// CI always runs it; elsewhere a missing browser skips it with the reason in the test name.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.SWITCHYARD_REQUIRE_BROWSER === '1') {
  throw new Error(`Chromium is required for the console browser test (apt-get install chromium): ${CHROMIUM} is missing.`);
}
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CLAIM = 'Process insurance claim #12345 for $40,000';

/** What the page's callbacks use of the browser (this file is compiled for Node, without the DOM's types). */
interface InPage {
  axe?: { run: (context: unknown, options: object) => Promise<{ violations: AxeViolation[] }> };
  document: unknown;
  getComputedStyle: (element: unknown) => { backgroundColor: string };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe.skipIf(!hasChromium)(hasChromium ? 'the console in a real browser' : `the console in a real browser (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium)`, () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  const axeChecked: Record<string, number> = {};
  let workflowId = '';
  let identityProvider: Awaited<ReturnType<typeof startOpenIdProvider>>;
  const AUDIENCE = 'api://switchyard';
  const CLIENT_ID = 'switchyard-console';

  beforeAll(async () => {
    await ensureConsoleBuild();
    // Entra ID's place is taken by a real OpenID Connect provider on loopback.
    identityProvider = await startOpenIdProvider({ audience: AUDIENCE, clientId: CLIENT_ID });
    const oidc = { OIDC_ISSUER: identityProvider.issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: identityProvider.jwksUrl, OIDC_CONSOLE_CLIENT_ID: CLIENT_ID, OIDC_CONSOLE_RESOURCE: AUDIENCE };
    [stack, browser] = await Promise.all([startTestStack({ env: { ALERT_EVALUATION_MS: '500', ...oidc } }), chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] })]);
    base = stack.gatewayUrl.replace(/\/graphql$/, '');
    identityProvider.configure(`${base}/auth/callback`, { tid: stack.tenantId, roles: ['Switchyard.Developer'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await identityProvider?.close();
    console.log(`axe: no serious or critical violations on ${Object.keys(axeChecked).length} pages (${Object.entries(axeChecked).map(([page, minor]) => `${page}: ${minor} minor/moderate`).join(', ')})`);
  }, 60_000);

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(base);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  /** axe-core on the page as it is: no serious or critical violation. */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => {
      const inPage = globalThis as unknown as InPage;
      return (await inPage.axe!.run(inPage.document, { resultTypes: ['violations'] })).violations;
    });
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(blocking, `axe on ${name}`).toEqual([]);
    axeChecked[name] = violations.length;
  }

  const screenshot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

  it('starts a LangGraph claim, follows it live through a lost connection, approves it in the inbox and shows it succeeded with its cost', async () => {
    const page = await newPage();
    await page.goto(base);
    await expectAccessible(page, 'sign in');
    await screenshot(page, 'sign-in');
    await signIn(page, stack.apiKey);
    await expect(page.getByText('Model output is simulated.')).toBeTruthy();
    await page.getByText('Model output is simulated.').waitFor();

    // Bad input: the API's message next to the field.
    await page.getByLabel('Framework').first().selectOption('LANGGRAPH');
    await page.getByRole('button', { name: 'Start on LANGGRAPH' }).click();
    const requestField = page.locator('.field', { has: page.getByLabel('Request') });
    await requestField.locator('.field-error').getByText('input.input is empty').waitFor();
    expect(await page.getByLabel('Request').getAttribute('aria-invalid')).toBe('true');

    // The recommender's advice before starting.
    await page.getByLabel('Request').fill(CLAIM);
    await page.getByLabel('Framework').first().selectOption('RECOMMEND');
    await page.getByRole('button', { name: 'Recommend a framework' }).click();
    const recommendation = page.getByTestId('recommendation');
    await recommendation.getByText(/The recommender suggests \w+ with \d+% confidence/).waitFor();
    await expectAccessible(page, 'runs: start with a recommendation');
    await screenshot(page, 'start-recommended');

    await page.getByRole('button', { name: 'Choose another' }).click();
    await page.getByLabel('Framework').first().selectOption('LANGGRAPH');
    await page.getByRole('button', { name: 'Start on LANGGRAPH' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    // The live timeline reaches the adjuster's approval; the graph shows where the run waits.
    await page.locator('[data-testid="timeline"] [data-type="WAITING_FOR_INPUT"]').waitFor();
    await page.locator('[data-node="adjuster_review"][data-state="current"]').waitFor();
    await page.locator('[data-node="extract_claim"][data-state="visited"]').waitFor();
    await page.getByTestId('feed-state').and(page.locator('[data-state="live"]')).waitFor();

    // A lost connection: the gateway dies and comes back on the same port.
    const back = stack.supervisor.waitReady('gateway');
    stack.supervisor.kill('gateway');
    await page.getByTestId('feed-state').getByText(/Reconnecting… \(will resume after event \d+\)/).waitFor();
    await back;
    await page.getByTestId('feed-state').and(page.locator('[data-state="live"]')).waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'run');
    await screenshot(page, 'run');

    // Another tab answers from the inbox; this page keeps following the same subscription.
    const inbox = await newPage();
    await signIn(inbox, stack.apiKey);
    await inbox.getByRole('link', { name: 'Inbox' }).click();
    const item = inbox.locator(`[data-workflow="${workflowId}"]`);
    await item.getByText('above the $25,000 an adjuster must approve').waitFor();
    await expectAccessible(inbox, 'inbox');
    await screenshot(inbox, 'inbox');
    await item.getByRole('button', { name: 'Approve' }).click();
    await inbox.getByTestId('inbox-empty').waitFor();

    await page.locator('[data-testid="timeline"] [data-type="WORKFLOW_SUCCEEDED"]').waitFor({ timeout: 30_000 });
    await page.locator('.run-head [data-status="SUCCEEDED"]').waitFor();
    await page.getByTestId('feed-state').and(page.locator('[data-state="complete"]')).waitFor();
    await page.getByTestId('run-output').getByText('Payout of $39500 for claim #12345').waitFor();
    await page.getByTestId('run-cost').getByText(/for [1-9]\d* model calls/).waitFor();

    // Every event once, in order, none missing across the reconnect.
    const shown = await page.locator('[data-testid="timeline"] [data-sequence]').evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-sequence'))));
    const { workflow } = await stack.client().request(WorkflowDocument, { id: workflowId });
    expect(shown).toEqual(workflow!.events.map((e) => e.sequence));
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => i + 1));
    expect(workflow!.status).toBe('SUCCEEDED');
    expect(workflow!.cost.modelCalls).toBeGreaterThan(0);
    const totalShown = await page.getByTestId('run-cost-total').textContent();
    expect(totalShown).toBe(`$${workflow!.cost.totalUsd < 0.01 ? workflow!.cost.totalUsd.toFixed(6) : workflow!.cost.totalUsd.toFixed(workflow!.cost.totalUsd < 1 ? 4 : 2)}`);
    await page.getByTestId('checkpoints').locator('li').first().waitFor();
    await screenshot(page, 'run-succeeded');

    // Time travel: fork from the checkpoint before the router with a smaller amount; it pays out without an adjuster.
    const beforeRouter = page.getByTestId('checkpoints').locator('li', { hasText: 'next: route_claim' });
    await beforeRouter.getByRole('button', { name: 'Fork from here…' }).click();
    await beforeRouter.getByLabel('State changes (JSON)').fill('{"amout": 2000}');
    await beforeRouter.getByRole('button', { name: 'Start the fork' }).click();
    await beforeRouter.locator('.field-error').getByText('input.values.amout is not a state key of this graph').waitFor();
    await beforeRouter.getByLabel('State changes (JSON)').fill('{"amount": 2000}');
    await beforeRouter.getByRole('button', { name: 'Start the fork' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(encodeURIComponent(workflowId)));
    const forkId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByTestId('feed-state').and(page.locator('[data-state="complete"]')).waitFor({ timeout: 30_000 });
    const { workflow: fork } = await stack.client().request(WorkflowDocument, { id: forkId });
    expect(fork!.events.some((e) => e.type === 'WAITING_FOR_INPUT')).toBe(false);
    await page.getByTestId('run-output').getByText('Payout of $1500 for claim #12345').waitFor();
    await page.goBack();
    await page.getByTestId('run-output').getByText('Payout of $39500').waitFor();

    // The list shows it, filtered by status and framework.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByLabel('Status').selectOption('SUCCEEDED');
    await page.getByLabel('Framework').nth(1).selectOption('LANGGRAPH');
    await page.locator(`[data-workflow="${workflowId}"] [data-status="SUCCEEDED"]`).waitFor();
    await page.getByLabel('Framework').nth(1).selectOption('CREWAI');
    await page.getByTestId('no-runs').waitFor();
    await page.getByLabel('Framework').nth(1).selectOption('');
    await page.getByLabel('Status').selectOption('');
    await page.locator(`[data-workflow="${workflowId}"]`).waitFor();
    await expectAccessible(page, 'runs');
    await screenshot(page, 'runs');
  }, 120_000);

  it('draws a crew’s agents and tasks and a group chat’s speakers from their runs’ events', async () => {
    const client = stack.client();
    const [crew, chat] = await Promise.all([
      client.request(StartWorkflowDocument, { input: { input: 'Research competitors and write a market analysis for plant-based cheese in France', framework: 'CREWAI', definition: { template: 'market-research' } } }),
      client.request(StartWorkflowDocument, { input: { input: 'Write JavaScript code that adds 20 and 22', framework: 'AUTOGEN', definition: { template: 'code-assistant' } } }),
    ]);
    const page = await newPage();
    await signIn(page, stack.apiKey);
    await page.goto(`${base}/runs/${encodeURIComponent(crew.startWorkflow.id)}`);
    await page.getByTestId('feed-state').and(page.locator('[data-state="complete"]')).waitFor({ timeout: 40_000 });
    const crewPicture = page.getByTestId('crew-structure');
    await crewPicture.locator('li', { hasText: '— done' }).first().waitFor();
    const { workflow: crewRun } = await client.request(WorkflowDocument, { id: crew.startWorkflow.id });
    const tasks = crewRun!.events.filter((e) => e.type === 'TASK_STARTED');
    expect(tasks.length).toBeGreaterThan(1);
    for (const task of tasks) await crewPicture.locator('li', { hasText: `${task.step} by ${task.agent}` }).waitFor();
    const agents = [...new Set(crewRun!.events.filter((e) => ['TASK_STARTED', 'TASK_COMPLETED', 'AGENT_MESSAGE', 'DELEGATION'].includes(e.type) && e.agent).map((e) => e.agent!))];
    expect((await crewPicture.locator('.pill').allTextContents()).sort()).toEqual(
      [...new Set([...agents, ...crewRun!.events.filter((e) => e.type === 'DELEGATION').map((e) => (e.data as { to: string }).to)])].sort(),
    );
    await screenshot(page, 'run-crew');

    await page.goto(`${base}/runs/${encodeURIComponent(chat.startWorkflow.id)}`);
    await page.getByTestId('feed-state').and(page.locator('[data-state="complete"]')).waitFor({ timeout: 40_000 });
    const { workflow: chatRun } = await client.request(WorkflowDocument, { id: chat.startWorkflow.id });
    const speakers = [...new Set(chatRun!.events.filter((e) => e.type === 'AGENT_MESSAGE').map((e) => e.agent!))];
    expect(speakers.length).toBeGreaterThan(1);
    for (const speaker of speakers) await page.getByTestId('chat-structure').locator('li', { hasText: speaker }).first().waitFor();
    await expectAccessible(page, 'run: group chat');
  }, 90_000);

  it('signs in with Entra ID where it is configured: the identity provider’s own pages, an authorization code redeemed with PKCE, the role from the token', async () => {
    const page = await newPage();
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in with Microsoft Entra ID' }).click();
    // The provider's pages, on its own origin.
    await page.waitForURL((url) => url.origin === identityProvider.issuer);
    await page.locator('input[name="login"]').fill('adjuster@globex.example');
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click(); // consent
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    // The token's role: a developer starts runs but has no tenant admin.
    expect(await page.getByRole('link', { name: 'Tenant admin' }).count()).toBe(0);
    const credential = await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('switchyard.credential'));
    expect(credential).toMatch(/^eyJ/); // a JWT access token, not an API key
    expect(credential).not.toMatch(/^sy_/);
    await expectAccessible(page, 'signed in with Entra ID');
    // A callback without a sign-in started in this tab is refused clearly.
    const stray = await newPage();
    await stray.goto(`${base}/auth/callback?code=forged&state=forged`);
    await stray.getByText('This sign-in was not started from this browser tab; sign in again.').waitFor();
  }, 60_000);

  it('is served by the gateway at / and on its own routes, without shadowing the API or the health checks', async () => {
    const page = await (await fetch(`${base}/runs/some-id`)).text();
    expect(page).toContain('<div id="root"></div>');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page)![1]!;
    const script = await fetch(`${base}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok', service: 'gateway' });
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const api = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('shows a second tenant none of the first tenant’s workflows', async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Globex Mutual' } });
    const page = await newPage();
    await signIn(page, createTenant.secret);
    await page.getByTestId('brand-name').getByText('Globex Mutual').waitFor();
    await page.getByTestId('no-runs').waitFor();
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByTestId('inbox-empty').waitFor();
    await page.goto(`${base}/runs/${encodeURIComponent(workflowId)}`);
    await page.getByTestId('run-not-found').waitFor();
    expect(await page.getByText(CLAIM).count()).toBe(0);
  }, 60_000);

  it('re-themes every page when the branding changes, and shows a bad colour’s error next to its field', async () => {
    const page = await newPage();
    await signIn(page, stack.apiKey);
    await page.getByRole('link', { name: 'Tenant admin' }).click();
    await page.getByRole('link', { name: 'Branding' }).click();
    await page.getByLabel('Primary colour').fill('purple');
    await page.getByRole('button', { name: 'Save branding' }).click();
    const colourField = page.locator('.field', { has: page.getByLabel('Primary colour') });
    await colourField.locator('.field-error').getByText('input.primaryColor must be a colour like "#1a2b3c".').waitFor();
    expect(await page.getByLabel('Primary colour').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'form-error');

    await page.getByLabel('Display name').fill('Acme Claims');
    await page.getByLabel('Primary colour').fill('#7a1f5c');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByTestId('brand-name').getByText('Acme Claims').waitFor();
    expect(await page.locator('.topbar').evaluate((el) => (globalThis as unknown as InPage).getComputedStyle(el).backgroundColor)).toBe('rgb(122, 31, 92)');
    expect(await colourField.locator('.field-error').count()).toBe(0);
    await expectAccessible(page, 'admin: branding');
    await screenshot(page, 'admin-branding');

    // Every page, including one opened afresh, carries the new branding.
    await page.getByRole('link', { name: 'Runs' }).click();
    expect(await page.locator('button.primary').first().evaluate((el) => (globalThis as unknown as InPage).getComputedStyle(el).backgroundColor)).toBe('rgb(122, 31, 92)');
    const fresh = await newPage();
    await signIn(fresh, stack.apiKey);
    await fresh.getByTestId('brand-name').getByText('Acme Claims').waitFor();
    expect(await fresh.title()).toBe('Acme Claims · console');
  }, 60_000);

  it('runs the tenant admin pages: keys, budgets, alerts, usage, statements, tools, knowledge with a PDF, selection pins', async () => {
    const page = await newPage();
    await signIn(page, stack.apiKey);
    await page.getByRole('link', { name: 'Tenant admin' }).click();

    await page.getByLabel('Name').fill('ci reader');
    await page.getByLabel('Role').selectOption('VIEWER');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-secret').textContent())!;
    expect(secret).toMatch(/^sy_/);
    await page.getByTestId('api-keys').getByText('ci reader').waitFor();
    await expectAccessible(page, 'admin: API keys');
    await screenshot(page, 'admin-keys');

    await page.getByRole('link', { name: 'Budgets' }).click();
    await page.getByLabel('Monthly limit (USD)').fill('50');
    await page.getByLabel('Alert webhook URL (optional)').fill('not a url');
    await page.getByRole('button', { name: 'Save budget' }).click();
    await page.locator('.field', { has: page.getByLabel('Alert webhook URL (optional)') }).locator('.field-error').getByText('input.webhookUrl must be an absolute http(s) URL').waitFor();
    await page.getByLabel('Alert webhook URL (optional)').fill('');
    await page.getByRole('button', { name: 'Save budget' }).click();
    await page.getByTestId('budget-spent').getByText(/of \$50\.00 this month/).waitFor();
    await expectAccessible(page, 'admin: budgets');

    // An alert rule: the API's refusal shows by its field; a rule on what the tenant already spent fires.
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByLabel('Rule name').fill('Any spend today');
    await page.getByLabel('Metric').selectOption('COST_USD');
    await page.getByLabel('Window (seconds)').fill('86400');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('.field', { has: page.getByLabel('Threshold (USD)') }).locator('.field-error').getByText('A THRESHOLD rule needs input.threshold').waitFor();
    await page.getByLabel('Threshold (USD)').fill('0');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByTestId('alert-rules').getByRole('row', { name: /Any spend today/ }).locator('[data-alert-state="FIRING"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('alert-events').getByText(/Firing: Any spend today at \$/).waitFor();
    await expectAccessible(page, 'admin: alerts');
    await screenshot(page, 'admin-alerts');

    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByTestId('usage-total').getByText(/for [1-9]\d* model calls in [1-9]\d* workflows/).waitFor();
    await page.locator('figure.chart svg').nth(2).waitFor();
    await expectAccessible(page, 'admin: usage');
    await screenshot(page, 'admin-usage');

    await page.getByRole('link', { name: 'Statements' }).click();
    await page.getByTestId('statement-total').waitFor();
    await expectAccessible(page, 'admin: statements');

    await page.getByRole('link', { name: 'Tools & MCP' }).click();
    await page.getByTestId('tools').getByText('calculator', { exact: true }).waitFor();
    await expectAccessible(page, 'admin: tools');

    await page.getByRole('link', { name: 'Knowledge' }).click();
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage().drawText('Water damage from burst pipes is covered up to 50,000 dollars per claim.', { x: 40, y: 700, size: 12, font });
    await page.getByLabel('File (text, Markdown, HTML or PDF)').setInputFiles({ name: 'policy-terms.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf.save()) });
    await page.getByRole('button', { name: 'Add document' }).click();
    await page.getByText(/"policy-terms" added in [1-9]\d* chunks\./).waitFor({ timeout: 30_000 });
    await page.getByLabel('Query').fill('burst pipes water damage');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('knowledge-hits').getByText('burst pipes').first().waitFor();
    await expectAccessible(page, 'admin: knowledge');
    await screenshot(page, 'admin-knowledge');

    await page.getByRole('link', { name: 'Selection pins' }).click();
    await page.getByLabel('Type or keyword').fill('claim');
    await page.getByLabel('Framework').selectOption('LANGGRAPH');
    await page.getByRole('button', { name: 'Pin' }).click();
    await page.getByTestId('pins').getByRole('cell', { name: 'claim', exact: true }).waitFor();
    await expectAccessible(page, 'admin: selection pins');

    // The viewer key sees runs but may not start them, and has no tenant admin.
    const viewer = await newPage();
    await signIn(viewer, secret);
    await viewer.getByText('Your role can follow runs but not start them.').waitFor();
    expect(await viewer.getByRole('link', { name: 'Tenant admin' }).count()).toBe(0);
    await viewer.locator(`[data-workflow="${workflowId}"]`).waitFor();

    // Revoked, the key stops working at once: the viewer's next request signs it out.
    await page.getByRole('link', { name: 'API keys' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke ci reader' }).click();
    await page.getByTestId('api-keys').getByRole('row', { name: /ci reader/ }).getByText(/^revoked /).waitFor();
    await viewer.reload();
    await viewer.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  }, 90_000);
});
