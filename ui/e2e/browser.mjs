// Browser end-to-end test: `cairn ui` (real backend) + Debian's chromium via playwright-core.
// A fresh data dir gets the demo installed on first launch (a temporary copy of demo/).
//
//   node e2e/browser.mjs            (CAIRN_BIN defaults to ../target/debug/cairn)
//
// Screenshots go to ../artifacts/screenshots/.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const bin = process.env.CAIRN_BIN ?? join(repo, "target/debug/cairn");
const shots = join(repo, "artifacts/screenshots");
mkdirSync(shots, { recursive: true });

const tmp = mkdtempSync(join(tmpdir(), "cairn-e2e-"));
const dataDir = join(tmp, "data");
const steps = [];
let server;
let browser;
let sshServer;

function step(name) {
  steps.push(name);
  console.log(`  • ${name}`);
}

/** A loopback port nothing listens on. */
function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * The SSH test server the Rust e2e uses (tests/data/ssh_server.py on asyncssh, in the
 * reference venv): a worker machine that is a folder here. Its key goes to `cairn ui`
 * through CAIRN_SSH_COMMAND.
 */
async function startSshServer() {
  const dir = join(tmp, "ssh");
  mkdirSync(dir);
  for (const k of ["host_key", "client_key"]) {
    const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, k)]);
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  }
  cpSync(join(dir, "client_key.pub"), join(dir, "authorized_keys"));
  const port = await freePort();
  const python = join(repo, ".venv-dvc/bin/python");
  sshServer = spawn(python, [join(repo, "tests/data/ssh_server.py"), String(port), join(dir, "host_key"), join(dir, "authorized_keys")], { stdio: "ignore" });
  for (let i = 0; ; i++) {
    const up = await new Promise((ok) => {
      const c = connect(port, "127.0.0.1", () => (c.end(), ok(true)));
      c.on("error", () => ok(false));
    });
    if (up) break;
    if (i > 600) throw new Error("the SSH test server did not listen (run scripts/ensure-dvc.sh)");
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, command: `ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i ${join(dir, "client_key")}` };
}

async function startServer(ssh) {
  server = spawn(bin, ["ui", "--no-open", "--port", "0"], {
    env: {
      ...process.env,
      CAIRN_SSH_COMMAND: ssh.command,
      CAIRN_DATA_DIR: dataDir,
      CAIRN_UI_DIST: join(repo, "ui/dist"),
      // The clone step uses git's `ext::` transport to make a slow "server" (a sleep in
      // front of upload-pack), so progress and Stop can be seen; git allows it only when asked.
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "protocol.ext.allow",
      GIT_CONFIG_VALUE_0: "always",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`cairn ui printed no URL:\n${out}`)), 30000);
    server.stdout.on("data", (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[0]);
      }
    });
    server.on("exit", (code) => fail(new Error(`cairn ui exited with ${code}:\n${out}`)));
  });
}

/** Sets a range input the way a drag does (React listens to `input`). */
function setRange(locator, value) {
  return locator.evaluate((el, v) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

/**
 * Clicks a stage node until its panel is open: a click that lands while the graph is
 * re-laid out (after an edit) can hit the pane instead.
 */
async function openStage(page, id) {
  const panel = page.locator(`[data-testid="stage-panel"][data-stage="${id}"]`);
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.getByTestId(`stage-node-${id}`).click();
    if (await panel.waitFor({ timeout: 3000 }).then(() => true, () => false)) return;
  }
  throw new Error(`the panel of ${id} does not open`);
}

async function shot(page, name) {
  await page.waitForTimeout(350);
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

async function main() {
  const ssh = await startSshServer();
  const url = await startServer(ssh);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: "light" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  lastPage = page;
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  step("first launch opens the demo project");
  await page.goto(url);
  await page.getByTestId("project-name").filter({ hasText: "cairn-demo" }).waitFor();
  if (page.url().includes("token=")) throw new Error("the token should be removed from the address bar");

  step("the DAG shows the four stages, stale before the first run");
  for (const s of ["prepare", "featurize", "train", "evaluate"]) {
    await page.getByTestId(`stage-node-${s}`).waitFor();
  }
  await page.waitForFunction(() => document.querySelectorAll('[data-state="stale"]').length === 4);
  await shot(page, "01-pipeline-stale");

  step("Run: every node turns up to date and logs stream in");
  await page.getByTestId("run-all").click();
  // Best effort: catch the pipeline mid-run for the screenshot (train takes about a second).
  await page
    .waitForFunction(() => document.querySelector('[data-testid="stage-node-train"]')?.getAttribute("data-state") === "running", null, { timeout: 15000, polling: 50 })
    .then(() => page.screenshot({ path: join(shots, "01b-pipeline-running.png") }))
    .catch(() => console.log("    (missed the running state for the screenshot)"));
  await page.waitForFunction(
    () => ["prepare", "featurize", "train", "evaluate"].every((s) => document.querySelector(`[data-testid="stage-node-${s}"]`)?.getAttribute("data-state") === "up_to_date"),
    null,
    { timeout: 90000 },
  );
  await page.getByTestId("log-lines").filter({ hasText: "loss" }).waitFor();
  await page.getByTestId("log-lines").filter({ hasText: "test accuracy" }).waitFor();
  await shot(page, "02-pipeline-run");

  step("editing params.yaml turns train stale live (file watcher → event, no reload)");
  const demoDir = join(dataDir, "projects", "cairn-demo");
  const params = join(demoDir, "params.yaml");
  writeFileSync(params, readFileSync(params, "utf8").replace("epochs: 120", "epochs: 80"));
  await page.waitForFunction(() => document.querySelector('[data-testid="stage-node-train"]')?.getAttribute("data-state") === "stale", null, { timeout: 20000 });
  await page.getByTestId("run-all").filter({ hasText: "Run 1 stale" }).waitFor();
  await page.keyboard.press("r"); // the "Run all stale" shortcut
  await page.waitForFunction(
    () => ["train", "evaluate"].every((s) => document.querySelector(`[data-testid="stage-node-${s}"]`)?.getAttribute("data-state") === "up_to_date"),
    null,
    { timeout: 90000 },
  );

  step("the stage panel shows command, outputs, params and logs");
  await openStage(page, "train");
  const panel = page.getByTestId("stage-panel");
  await panel.filter({ hasText: "train.learning_rate" }).waitFor();
  await panel.filter({ hasText: "model.json" }).waitFor();
  await page.getByTestId("stage-logs").filter({ hasText: "epoch" }).waitFor();
  await shot(page, "03-stage-panel");
  await page.keyboard.press("Escape");
  // A stage's output looked at from its panel: the version dvc.lock records, from the
  // cache; a folder output lists its files, and each opens as a table.
  await openStage(page, "prepare");
  await page.getByTestId("preview-out-data/prepared").click();
  await page.locator('[data-testid="preview"][data-kind="dir"]').waitFor();
  await page.getByTestId("preview-files").getByRole("button", { name: "train.csv" }).click();
  await page.locator('[data-testid="preview"][data-kind="table"]').waitFor();
  const header = (await page.locator(".preview-table thead th").allTextContents()).join(",");
  if (!header.includes("species")) throw new Error(`data/prepared/train.csv's columns: ${header}`);
  await shot(page, "03b-stage-output-preview");
  await page.keyboard.press("Escape");
  await page.getByTestId("preview-dialog").waitFor({ state: "detached" });
  await page.keyboard.press("Escape");

  step("editing the pipeline: add a stage, change its command, wire an output in by dragging, delete, undo");
  const demoYaml = join(demoDir, "dvc.yaml");
  const originalYaml = readFileSync(demoYaml, "utf8");
  // Freeze (dvc freeze): frozen: true in dvc.yaml, the node says so; Undo takes it back.
  await openStage(page, "evaluate");
  await page.getByTestId("freeze-stage").filter({ hasText: "Freeze" }).click();
  await page.getByTestId("panel-state").filter({ hasText: "frozen" }).waitFor();
  if (!/ {2}evaluate:\n(?: {4}.*\n)* {4}frozen: true\n/.test(readFileSync(demoYaml, "utf8"))) throw new Error("freeze writes frozen: true into the stage");
  await page.getByTestId("freeze-stage").filter({ hasText: "Unfreeze" }).waitFor();
  await shot(page, "03c-stage-frozen");
  await page.locator(".toast").filter({ hasText: "Froze stage `evaluate`" }).getByRole("button", { name: "Undo" }).click();
  await page.getByTestId("freeze-stage").filter({ hasText: /^Freeze$/ }).waitFor();
  if (readFileSync(demoYaml, "utf8") !== originalYaml) throw new Error("undoing the freeze restores dvc.yaml byte for byte");
  await page.keyboard.press("Escape");
  await page.getByTestId("add-stage-open").click();
  await page.getByLabel("Stage name").fill("report");
  await page.getByLabel("Command", { exact: true }).fill("cp model.json report.txt");
  await page.getByLabel("Input model.json").check();
  await page.getByLabel("Outputs").fill("report.txt");
  await shot(page, "03b-add-stage");
  await page.getByTestId("add-stage-submit").click();
  await page.getByTestId("stage-node-report").waitFor();
  await page.locator(".react-flow__edge[data-id='train->report']").waitFor();
  if (!readFileSync(demoYaml, "utf8").startsWith(originalYaml.split("\nplots:")[0] + "\n  report:\n    cmd: cp model.json report.txt\n"))
    throw new Error(`the new stage is not where dvc stage add puts it:\n${readFileSync(demoYaml, "utf8")}`);
  // A loop is refused in the dialog, with the reason, and nothing is written.
  await page.getByTestId("add-stage-open").click();
  await page.getByLabel("Stage name").fill("train");
  await page.getByLabel("Command", { exact: true }).fill("echo again");
  await page.getByTestId("add-stage-submit").click();
  await page.getByTestId("add-stage-error").filter({ hasText: "already exists" }).waitFor();
  await page.keyboard.press("Escape");
  await openStage(page, "report");
  await page.getByTestId("edit-cmd").click();
  await page.getByLabel("Command", { exact: true }).fill("cp model.json report.txt && wc -c model.json >> report.txt");
  await shot(page, "03c-edit-command");
  await page.getByTestId("save-cmd").click();
  await page.getByTestId("stage-cmd").filter({ hasText: "wc -c" }).waitFor();
  if (!readFileSync(demoYaml, "utf8").includes("    cmd: cp model.json report.txt && wc -c model.json >> report.txt\n"))
    throw new Error("the command was not written back");
  await page.keyboard.press("Escape");
  // Drag from evaluate's output handle onto report: evaluate has several outputs, so pick one.
  // (Closing the panel re-fits the view; let that animation end before measuring.)
  await page.waitForTimeout(700);
  const from = await page.locator('[data-testid="stage-node-evaluate"] .react-flow__handle.source').boundingBox();
  const to = await page.locator('[data-testid="stage-node-report"] .react-flow__handle.target').boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2 + 20, { steps: 8 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId("wire-dialog").getByText("dvclive/metrics.json").click();
  await page.locator(".react-flow__edge[data-id='evaluate->report']").waitFor();
  await shot(page, "03d-wired");
  if (!readFileSync(demoYaml, "utf8").includes("      - model.json\n      - dvclive/metrics.json\n")) throw new Error("the wire was not written as a dependency");
  // Select that edge from the keyboard and delete it: report stops reading the metrics.
  const wire = page.locator(".react-flow__edge[data-id='evaluate->report']");
  await wire.focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Delete");
  await wire.waitFor({ state: "detached" });
  if (readFileSync(demoYaml, "utf8").includes("dvclive/metrics.json\n    outs:")) throw new Error("cutting the edge did not remove the dependency");
  // Delete the stage (confirmed), then undo with Ctrl+Z: it comes back as it was.
  await openStage(page, "report");
  await page.getByTestId("delete-stage").click();
  await page.getByTestId("confirm-delete-submit").click();
  await page.getByTestId("stage-node-report").waitFor({ state: "detached" });
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 200 } });
  await page.keyboard.press("Control+z");
  await page.getByTestId("stage-node-report").waitFor();
  // Undo the rest (the cut wire comes back first); dvc.yaml is back to its bytes.
  for (let i = 0; i < 4; i++) {
    const before = readFileSync(demoYaml, "utf8");
    await page.keyboard.press("Control+z");
    for (let t = 0; t < 100 && readFileSync(demoYaml, "utf8") === before; t++) await page.waitForTimeout(50);
    if (i === 0) await wire.waitFor();
  }
  await page.getByTestId("stage-node-report").waitFor({ state: "detached" });
  if (readFileSync(demoYaml, "utf8") !== originalYaml) throw new Error("undo did not restore dvc.yaml");

  step("the run is in the Runs tab");
  await page.getByTestId("tab-runs").click();
  await page.getByTestId("run-item").first().filter({ hasText: "succeeded" }).waitFor();
  if ((await page.getByTestId("run-item").count()) !== 2) throw new Error("expected the two runs in the Runs tab");
  await page.getByTestId("run-stages").filter({ hasText: "evaluate" }).waitFor();
  await shot(page, "04-runs");

  step("the Data tab lists the tracked data set and what Save version would commit");
  await page.getByTestId("tab-data").click();
  await page.getByTestId("data-row-data/flowers.csv").filter({ hasText: "data/flowers.csv.dvc" }).filter({ hasText: "in sync" }).waitFor();
  // Beside it, what the pipeline caches, with the stage that writes it; metrics and
  // plots (cache: false) are git's and not listed.
  for (const [path, stage] of [["data/prepared", "prepare"], ["data/features", "featurize"], ["model.json", "train"]]) {
    await page.getByTestId(`data-row-${path}`).filter({ hasText: `stage ${stage}` }).filter({ hasText: "in sync" }).waitFor();
  }
  if ((await page.getByTestId("tracked-table").locator("tbody tr").count()) !== 4) throw new Error("the data set and three stage outputs are listed");
  await page.getByTestId("unsaved").filter({ hasText: "dvc.lock" }).waitFor();
  await shot(page, "05-data");
  await page.getByLabel("Version message").fill("First trained model");
  await page.getByTestId("save-version").click();
  await page.getByTestId("nothing-to-save").waitFor();
  // A stage output's versions come from the saved dvc.lock.
  await page.getByTestId("versions-model.json").click();
  await page.getByTestId("version").filter({ hasText: "First trained model" }).filter({ hasText: "current" }).waitFor();
  if ((await page.getByTestId("checkout-version").count()) !== 0) throw new Error("a stage output's version is not checked out alone");
  await page.keyboard.press("Escape");
  await page.getByTestId("versions-dialog").waitFor({ state: "detached" });

  step("a stage output edited by hand: Record as is writes it into dvc.lock (dvc commit), Undo takes that back, Checkout restores the model");
  const modelFile = join(demoDir, "model.json");
  const lockFile = join(demoDir, "dvc.lock");
  const trained = readFileSync(modelFile, "utf8");
  const savedLock = readFileSync(lockFile, "utf8");
  writeFileSync(modelFile, "{}\n");
  await page.getByTestId("data-row-model.json").filter({ hasText: "modified" }).waitFor({ timeout: 20000 });
  await shot(page, "05a-data-output-modified");
  await page.getByTestId("record-model.json").click();
  await page.locator(".toast").filter({ hasText: "Recorded model.json as it is now" }).waitFor();
  await page.getByTestId("data-row-model.json").filter({ hasText: "in sync" }).waitFor();
  await page.getByTestId("unsaved").filter({ hasText: "dvc.lock" }).waitFor();
  if (readFileSync(lockFile, "utf8") === savedLock) throw new Error("recording rewrites dvc.lock");
  await page.locator(".toast").filter({ hasText: "Recorded model.json as it is now" }).getByRole("button", { name: "Undo" }).click();
  await page.getByTestId("data-row-model.json").filter({ hasText: "modified" }).waitFor();
  await page.getByTestId("nothing-to-save").waitFor();
  if (readFileSync(lockFile, "utf8") !== savedLock) throw new Error("undo puts dvc.lock back byte for byte");
  await page.getByTestId("data-row-model.json").getByRole("button", { name: "Checkout" }).click();
  await page.getByTestId("data-row-model.json").filter({ hasText: "in sync" }).waitFor();
  if (readFileSync(modelFile, "utf8") !== trained) throw new Error("checkout restores the recorded model");

  step("Experiments: one made in the terminal appears next to its baseline, changed values marked, charted");
  const exp = spawnSync(bin, ["exp", "run", "-S", "train.learning_rate=0.05", "--name", "slower"], {
    cwd: demoDir,
    env: { ...process.env, CAIRN_DATA_DIR: dataDir },
    encoding: "utf8",
  });
  if (exp.status !== 0) throw new Error(`cairn exp run failed:\n${exp.stdout}\n${exp.stderr}`);
  await page.getByTestId("tab-experiments").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-row"]').length === 3);
  await page.getByTestId("exp-row").filter({ hasText: "slower" }).waitFor();
  // The terminal's run left the pipeline up to date, and the header says so once it settles.
  await page.getByTestId("state-summary").filter({ hasText: /^4 up to date$/ }).waitFor({ timeout: 20000 });
  await page.getByTestId("col-param-train.learning_rate").waitFor();
  if (await page.getByTestId("col-param-prepare.seed").count()) throw new Error("unchanged params are hidden by default");
  const changed = await page.locator('[data-testid="exp-row"][data-kind="experiment"] td.changed').allInnerTexts();
  if (!changed.includes("0.05")) throw new Error(`the changed learning rate is marked: ${changed}`);
  // Every row is selected at first: one line per row in each chart (loss, accuracy).
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="metric-chart"] canvas').length >= 2, null, { timeout: 20000 });
  const legend = await page.getByTestId("exp-charts").locator(".legend-item").count();
  if (legend !== 3) throw new Error(`expected 3 charted rows, got ${legend}`);
  await shot(page, "04b-experiments");
  // Image plots: the confusion matrix of each ticked row (work tree, baseline, slower).
  const confusion = page.locator('[data-testid="plot-image"][data-path="eval/confusion.svg"] img');
  await confusion.first().waitFor();
  const sources = await confusion.evaluateAll((els) => els.map((e) => e.getAttribute("src")?.slice(0, 26)));
  if (sources.length !== 3 || sources.some((src) => src !== "data:image/svg+xml;base64,")) throw new Error(`one confusion matrix per ticked row: ${sources}`);
  await page.getByTestId("exp-images").scrollIntoViewIfNeeded();
  await shot(page, "04b2-experiments-images");
  await confusion.first().click();
  await page.getByTestId("plot-image-dialog").locator("img").first().waitFor();
  await page.keyboard.press("Escape");
  await page.getByTestId("plot-image-dialog").waitFor({ state: "detached" });
  await page.getByTestId("copy-table").click();
  await page.getByTestId("copy-table-tsv").click();
  await page.locator(".toast").filter({ hasText: "Copied 3 rows" }).waitFor();
  const tsv = await page.evaluate(() => navigator.clipboard.readText());
  const tsvLines = tsv.trim().split("\n");
  if (tsvLines.length !== 4 || !tsvLines[0].startsWith("Experiment\tCreated\t") || !tsvLines[0].includes("params.yaml:train.learning_rate"))
    throw new Error(`Copy table puts a header and 3 rows on the clipboard:\n${tsv}`);
  // The same table for a paper: a LaTeX tabular, underscores escaped.
  await page.getByTestId("copy-table").click();
  await page.getByTestId("copy-table-latex").click();
  await page.waitForFunction(async () => (await navigator.clipboard.readText()).startsWith("\\begin{tabular}"));
  const latex = await page.evaluate(() => navigator.clipboard.readText());
  if (latex.split("\n").length !== 9 || !latex.includes("params.yaml:train.learning\\_rate") || !latex.endsWith("\\end{tabular}"))
    throw new Error(`Copy as LaTeX gives a tabular of the same rows:\n${latex}`);
  // Smoothing draws each row's raw line faded under its smoothed line.
  await setRange(page.getByTestId("smoothing"), "0.8");
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="metric-chart"]')].length >= 2);
  await shot(page, "04e-experiments-smoothed");
  await setRange(page.getByTestId("smoothing"), "0");
  // Pin an experiment as the reference: the baseline's differing values are marked now.
  await page.locator('[data-testid="exp-row"]').filter({ hasText: "slower" }).getByTestId("exp-pin").click();
  await page.locator('[data-testid="exp-row"][data-kind="baseline"] td.changed').filter({ hasText: "0.1" }).waitFor();
  await page.locator('[data-testid="exp-row"]').filter({ hasText: "slower" }).getByTestId("exp-pin").click();
  await page.locator('[data-testid="exp-row"][data-kind="baseline"] td.changed').first().waitFor({ state: "detached" });
  // Step-series columns: the loss's lowest value and the step that first reached it, and
  // its value at a chosen step, checked against the work tree's DVCLive file.
  const lossPoints = readFileSync(join(demoDir, "dvclive/plots/metrics/train/loss.tsv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t").map(Number));
  const lowest = Math.min(...lossPoints.map((p) => p[1]));
  const lowestStep = lossPoints.find((p) => p[1] === lowest)[0];
  await page.getByTestId("series-mode").selectOption("minmax");
  await page.getByTestId("col-series-train/loss-min").waitFor();
  await page.getByTestId("col-series-train/loss-max").waitFor();
  // The new columns sit past the metrics: the table scrolls to show them.
  await page.waitForFunction(() => {
    const wrap = document.querySelector('[data-testid="exp-table"]').getBoundingClientRect();
    const th = document.querySelector('[data-testid="col-series-train/loss-max"]').getBoundingClientRect();
    return th.left >= wrap.left && th.right <= wrap.right;
  });
  const minIndex = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "col-series-train/loss-min"));
  const wsMin = await page.locator('[data-testid="exp-row"][data-kind="workspace"] td').nth(minIndex).innerText();
  if (Number.parseFloat(wsMin) !== lowest || !wsMin.endsWith(`@${lowestStep}`))
    throw new Error(`the work tree's lowest loss is ${lowest} at step ${lowestStep}, the table says ${wsMin}`);
  await shot(page, "04f-experiments-series-columns");
  // Reloads after file events (the run just ended) keep the chosen columns.
  await page.waitForTimeout(800);
  if (!(await page.getByTestId("col-series-train/loss-min").count())) throw new Error("a reload dropped the step-series columns");
  await page.getByTestId("series-mode").selectOption("at");
  await page.getByTestId("series-step").fill("3");
  await page.getByTestId("col-series-train/loss-step 3").waitFor();
  const atIndex = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "col-series-train/loss-step 3"));
  const wsAt = await page.locator('[data-testid="exp-row"][data-kind="workspace"] td').nth(atIndex).innerText();
  if (Number.parseFloat(wsAt) !== lossPoints.find((p) => p[0] === 3)[1]) throw new Error(`the loss at step 3 is ${lossPoints[3]}, the table says ${wsAt}`);
  await page.getByTestId("series-mode").selectOption("off");
  await page.getByTestId("col-series-train/loss-step 3").waitFor({ state: "detached" });
  // Choose columns: hide the three recall metrics; the choice survives a reload.
  await page.getByTestId("columns-open").click();
  await page.getByTestId("columns-filter").fill("recall");
  await page.getByTestId("columns-hide-all").click();
  await page.getByTestId("col-metric-recall.setosa").waitFor({ state: "detached" });
  await page.getByTestId("columns-open").filter({ hasText: "Columns (3 hidden)" }).waitFor();
  await shot(page, "04g-experiments-columns");
  if (!(await page.getByTestId("col-metric-accuracy").count())) throw new Error("only the filtered columns are hidden");
  await page.keyboard.press("Escape");
  await page.getByTestId("columns-panel").waitFor({ state: "detached" });
  await page.reload();
  await page.getByTestId("tab-experiments").click();
  await page.getByTestId("col-metric-accuracy").waitFor();
  if (await page.getByTestId("col-metric-recall.setosa").count()) throw new Error("hidden columns stay hidden after a reload");
  await page.getByTestId("columns-open").click();
  await page.getByTestId("columns-show-all").click();
  await page.getByTestId("col-metric-recall.setosa").waitFor();
  await page.keyboard.press("Escape");
  // A derived column: a formula over each row's values, checked while it is typed, kept
  // across reloads, computed for every row.
  await page.getByTestId("derived-open").click();
  await page.getByLabel("Column name").fill("error %");
  await page.getByTestId("derived-formula").fill("(1 - accuracy) *");
  await page.getByTestId("derived-error").filter({ hasText: "the formula ends too early" }).waitFor();
  await page.getByTestId("derived-formula").fill("(1 - accuracy) * 100");
  await page.getByTestId("derived-sample").filter({ hasText: "workspace:" }).waitFor();
  await page.getByTestId("derived-add").click();
  await page.getByTestId("derived-list").filter({ hasText: "error %" }).waitFor();
  await shot(page, "04g2-derived-dialog");
  await page.keyboard.press("Escape");
  await page.reload();
  await page.getByTestId("tab-experiments").click();
  await page.getByTestId("col-derived-error %").waitFor();
  const indexOf = (testid) => page.locator(".exp-table thead th").evaluateAll((ths, id) => ths.findIndex((th) => th.dataset.testid === id), testid);
  const [accCol, errCol] = [await indexOf("col-metric-accuracy"), await indexOf("col-derived-error %")];
  const pairs = await page.locator('[data-testid="exp-row"]').evaluateAll(
    (rows, [a, e]) => rows.map((r) => [r.querySelectorAll("td")[a]?.textContent, r.querySelectorAll("td")[e]?.textContent]),
    [accCol, errCol],
  );
  for (const [acc, err] of pairs)
    if (Math.abs((1 - Number(acc)) * 100 - Number(err)) > 1e-4) throw new Error(`error % of accuracy ${acc} is ${err}`);
  await shot(page, "04g3-experiments-derived");
  await page.getByTestId("derived-open").click();
  await page.getByTestId("derived-remove").click();
  await page.keyboard.press("Escape");
  await page.getByTestId("col-derived-error %").waitFor({ state: "detached" });
  await page.getByTestId("only-changed").uncheck();
  await page.getByTestId("col-param-prepare.seed").waitFor();
  await page.getByTestId("exp-select").first().uncheck();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-charts"] .legend-item').length === 2);

  step("New experiment in the app: change a param, run, and it is recorded as dvc would record it");
  await page.getByTestId("new-experiment-open").click();
  await page.getByTestId("new-experiment").waitFor();
  await page.getByLabel("train.epochs").fill("60");
  await page.getByTestId("override-summary").filter({ hasText: "train.epochs=60" }).waitFor();
  await page.getByLabel("Experiment name").fill("shorter");
  await shot(page, "04c-new-experiment");
  await page.getByTestId("run-experiment").click();
  await page.getByTestId("exp-row").filter({ hasText: "shorter" }).waitFor({ timeout: 90000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-row"]').length === 4);
  // The experiment that just ran is charted without ticking it.
  await page.getByTestId("exp-charts").locator(".legend-item").filter({ hasText: "shorter" }).waitFor();
  const refs = spawnSync("git", ["for-each-ref", "--format=%(refname)", "refs/exps/"], { cwd: demoDir, encoding: "utf8" }).stdout;
  if (!/\/shorter$/m.test(refs) || !/\/slower$/m.test(refs)) throw new Error(`experiment refs:\n${refs}`);
  const epochs = await page.locator('[data-testid="exp-row"]').filter({ hasText: "shorter" }).locator("td.changed").allInnerTexts();
  if (!epochs.includes("60")) throw new Error(`the new experiment's epochs are marked changed: ${epochs}`);

  step("Experiment actions: rename, make a branch, delete and undo, apply to the work tree");
  const expRow = (name) => page.locator('[data-testid="exp-row"]').filter({ hasText: name });
  const git = (...args) => spawnSync("git", args, { cwd: demoDir, encoding: "utf8" }).stdout.trim();
  await expRow("slower").getByTestId("exp-actions").click();
  await page.getByTestId("exp-menu").waitFor();
  await shot(page, "04d-experiment-actions");
  await page.getByTestId("exp-rename").click();
  await page.getByLabel("New name").fill("slow-lr");
  await page.getByTestId("exp-action-confirm").click();
  await expRow("slow-lr").waitFor();
  const expSha = git("for-each-ref", "--format=%(objectname)", "refs/exps/**/slow-lr");
  if (!/^[0-9a-f]{40}$/.test(expSha)) throw new Error(`renamed ref: ${expSha}`);
  await expRow("slow-lr").getByTestId("exp-actions").click();
  await page.getByTestId("exp-branch").click();
  await page.getByLabel("Branch name").fill("lr-study");
  await page.getByTestId("exp-action-confirm").click();
  await page.locator(".toast").filter({ hasText: "Created branch lr-study" }).waitFor();
  if (git("rev-parse", "refs/heads/lr-study") !== expSha) throw new Error("the branch points at the experiment");
  // A note: a git note on the experiment's commit, shown in the row, found by the filter.
  await expRow("slow-lr").getByTestId("exp-actions").click();
  await page.getByTestId("exp-note").click();
  await page.getByTestId("note-text").fill("halved lr: smoother loss, lower accuracy");
  await page.getByTestId("note-save").click();
  await expRow("slow-lr").getByTestId("exp-note-text").filter({ hasText: "halved lr" }).waitFor();
  const note = spawnSync("git", ["notes", "--ref=cairn", "show", expSha], { cwd: demoDir, encoding: "utf8" }).stdout;
  if (note !== "halved lr: smoother loss, lower accuracy\n") throw new Error(`the note is a git note: ${JSON.stringify(note)}`);
  await page.getByTestId("exp-filter").fill("smoother");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-row"][data-kind="experiment"]').length === 1);
  await shot(page, "04e2-experiment-note");
  await page.getByTestId("exp-filter").fill("");
  await expRow("slow-lr").getByTestId("exp-actions").click();
  await page.getByTestId("exp-delete").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-row"]').length === 3);
  if (git("for-each-ref", "refs/exps/**/slow-lr")) throw new Error("deleted: the ref is gone");
  await page.locator(".toast").filter({ hasText: "Deleted slow-lr" }).getByRole("button", { name: "Undo" }).click();
  await expRow("slow-lr").waitFor();
  if (git("for-each-ref", "--format=%(objectname)", "refs/exps/**/slow-lr") !== expSha) throw new Error("undo restores the ref");
  await expRow("slow-lr").getByTestId("exp-actions").click();
  await page.getByTestId("exp-apply").click();
  await page.getByTestId("exp-action-confirm").click();
  await page.locator(".toast").filter({ hasText: "Applied slow-lr" }).waitFor();
  const applied = readFileSync(params, "utf8");
  // slower changed the learning rate only; the work tree had shorter's 60 epochs before.
  if (!applied.includes("learning_rate: 0.05") || applied.includes("epochs: 60"))
    throw new Error(`apply writes the experiment's params:\n${applied}`);

  step("A sweep from the New experiment dialog: one experiment per value, run in parallel");
  await page.getByTestId("new-experiment-open").click();
  await page.getByTestId("new-experiment").waitFor();
  await page.getByLabel("train.epochs").fill("30,40");
  await page.getByLabel("Experiment name").fill("sweep");
  await page.getByTestId("run-experiment").click();
  await page.getByTestId("exp-row").filter({ hasText: "sweep-1" }).waitFor({ timeout: 120000 });
  await page.getByTestId("exp-row").filter({ hasText: "sweep-2" }).waitFor({ timeout: 120000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="exp-row"] .pill-running'), null, { timeout: 120000 }).catch(() => undefined);
  const sweptEpochs = await page.locator('[data-testid="exp-row"]').filter({ hasText: /sweep-[12]/ }).locator("td.changed").allInnerTexts();
  if (!sweptEpochs.includes("30") || !sweptEpochs.includes("40")) throw new Error(`the sweep's epochs: ${sweptEpochs}`);
  await shot(page, "04f-sweep");
  // Group by epochs: one line per value with its runs folded in, metrics as means.
  const accuracyOf = async (locator) => {
    const index = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "col-metric-accuracy"));
    return locator.locator("td").nth(index).innerText();
  };
  const sweep1Accuracy = await accuracyOf(page.getByTestId("exp-row").filter({ hasText: "sweep-1" }));
  await page.getByTestId("group-by").selectOption({ label: "train.epochs" });
  const group30 = page.locator('[data-testid="exp-group"][data-value="30"]');
  await group30.waitFor();
  await page.locator('[data-testid="exp-group"][data-value="40"]').waitFor();
  if (await page.getByTestId("exp-row").filter({ hasText: "sweep-1" }).count()) throw new Error("a closed group hides its runs");
  if ((await page.locator('[data-testid="exp-row"][data-kind="baseline"]').count()) !== 1) throw new Error("the baseline stays on top, ungrouped");
  if (Number.parseFloat(await accuracyOf(group30)) !== Number.parseFloat(sweep1Accuracy))
    throw new Error(`a one-run group's mean is its run's value: ${await accuracyOf(group30)} vs ${sweep1Accuracy}`);
  await group30.getByTestId("group-toggle").click();
  await page.getByTestId("exp-row").filter({ hasText: "sweep-1" }).waitFor();
  await page.locator('[data-testid="exp-group"][data-value="40"]').getByTestId("group-select").uncheck();
  // Grouped, the charts draw one line per group (its runs' mean).
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="exp-charts"] .legend-item')].some((e) => e.textContent.includes("train.epochs = 40")));
  await page.locator('[data-testid="exp-group"][data-value="40"]').getByTestId("group-select").check();
  await page.getByTestId("exp-charts").locator(".legend-item").filter({ hasText: "train.epochs = 40" }).waitFor();
  if (await page.getByTestId("exp-charts").locator(".legend-item").filter({ hasText: "sweep-2" }).count()) throw new Error("grouped charts name groups, not runs");
  await shot(page, "04i-experiments-grouped");
  await page.getByTestId("group-by").selectOption("");
  await page.getByTestId("exp-row").filter({ hasText: "sweep-2" }).waitFor();
  // Pivot: learning rate down, epochs across, accuracy in the cells.
  const lrOf = async (locator) => {
    const index = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "col-param-train.learning_rate"));
    return locator.locator("td").nth(index).innerText();
  };
  const sweep1Lr = await lrOf(page.getByTestId("exp-row").filter({ hasText: "sweep-1" }));
  await page.getByTestId("pivot-open").click();
  await page.getByTestId("pivot-down").selectOption({ label: "train.learning_rate" });
  await page.getByTestId("pivot-across").selectOption({ label: "train.epochs" });
  await page.getByTestId("pivot-value").selectOption({ label: "accuracy" });
  const cell = page.locator(`[data-testid="pivot-cell"][data-down="${sweep1Lr}"][data-across="30"]`);
  await cell.waitFor();
  if (Number.parseFloat(await cell.innerText()) !== Number.parseFloat(sweep1Accuracy))
    throw new Error(`the pivot cell (lr ${sweep1Lr}, 30 epochs) is sweep-1's accuracy: ${await cell.innerText()} vs ${sweep1Accuracy}`);
  await shot(page, "04i2-experiments-pivot");
  await page.keyboard.press("Escape");
  await page.getByTestId("pivot-dialog").waitFor({ state: "detached" });
  // Parallel coordinates: an axis per differing param and metric, a line per row; a range
  // kept on the epochs axis leaves the longest runs, which "Chart these" ticks.
  const epochsIndex = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "col-param-train.epochs"));
  const epochsByRow = await page.getByTestId("exp-row").evaluateAll((trs, i) => trs.map((tr) => Number(tr.querySelectorAll("td")[i]?.textContent)), epochsIndex);
  await page.getByTestId("parallel-open").click();
  await page.getByTestId("pc-plot").waitFor();
  const lineCount = await page.getByTestId("pc-line").count();
  if (lineCount !== epochsByRow.length) throw new Error(`${lineCount} lines for ${epochsByRow.length} rows`);
  const axisNames = await page.getByTestId("pc-axis").evaluateAll((gs) => gs.map((g) => g.dataset.column));
  for (const name of ["train.epochs", "train.learning_rate", "accuracy"]) if (!axisNames.includes(name)) throw new Error(`no ${name} axis: ${axisNames}`);
  const hit = await page.locator('[data-testid="pc-axis"][data-column="train.epochs"] [data-testid="pc-hit"]').boundingBox();
  await page.mouse.move(hit.x + hit.width / 2, hit.y + 2);
  await page.mouse.down();
  await page.mouse.move(hit.x + hit.width / 2, hit.y + hit.height * 0.3, { steps: 6 });
  await page.mouse.up();
  const [lo, hi] = [Math.min(...epochsByRow), Math.max(...epochsByRow)];
  const longest = epochsByRow.filter((e) => (e - lo) / (hi - lo) >= 0.7).length;
  const keptCount = await page.locator('[data-testid="pc-line"][data-kept="true"]').count();
  if (!(longest > 0 && longest < epochsByRow.length) || keptCount !== longest) throw new Error(`kept ${keptCount} lines; ${longest} rows have the most epochs (${epochsByRow})`);
  await page.getByTestId("pc-count").filter({ hasText: `${longest} of ${epochsByRow.length} rows in the kept ranges` }).waitFor();
  await shot(page, "04i3-experiments-parallel");
  await page.getByTestId("pc-chart").click();
  await page.getByTestId("parallel-dialog").waitFor({ state: "detached" });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="exp-select"]:checked').length === n, longest);
  // An MLflow run in mlruns/ (say rsync'd from a cluster) joins the table live, read-only.
  const mlrun = join(demoDir, "mlruns", "0", "feedc0de");
  for (const [rel, text] of [
    ["../meta.yaml", "experiment_id: '0'\nlifecycle_stage: active\nname: Default\n"],
    ["meta.yaml", "run_id: feedc0de\nrun_name: mlflow-baseline\nstart_time: 1700000000000\nstatus: 3\nlifecycle_stage: active\n"],
    ["params/lr", "0.005"],
    ["metrics/accuracy", "1700000000000 0.61 0\n1700000000100 0.77 1\n1700000000200 0.81 2\n"],
  ]) {
    mkdirSync(dirname(join(mlrun, rel)), { recursive: true });
    writeFileSync(join(mlrun, rel), text);
  }
  const mlRow = page.getByTestId("exp-row").filter({ hasText: "mlflow-baseline" });
  await mlRow.filter({ hasText: "MLflow" }).waitFor({ timeout: 20000 });
  if (await mlRow.getByTestId("exp-actions").count()) throw new Error("an MLflow run has no DVC actions");
  await page.getByTestId("exp-count").filter({ hasText: "· 1 MLflow run" }).waitFor();
  await mlRow.getByTestId("exp-select").check();
  await page.getByTestId("exp-charts").locator(".legend-item").filter({ hasText: "mlflow-baseline" }).waitFor();
  await page.getByTestId("exp-charts").getByTestId("metric-chart").filter({ hasText: /^accuracy/ }).waitFor();
  await shot(page, "04i3-experiments-mlflow");
  // A TensorBoard run (event files PyTorch's SummaryWriter wrote) joins it the same way.
  const tbDir = join(demoDir, "runs", "pytorch-baseline");
  mkdirSync(tbDir, { recursive: true });
  cpSync(join(repo, "crates/cairn-api/tests/fixtures/events.out.tfevents.pytorch"), join(tbDir, "events.out.tfevents.pytorch"));
  const tbRow = page.getByTestId("exp-row").filter({ hasText: "runs/pytorch-baseline" });
  await tbRow.filter({ hasText: "TensorBoard" }).waitFor({ timeout: 20000 });
  if (await tbRow.getByTestId("exp-actions").count()) throw new Error("a TensorBoard run has no DVC actions");
  await page.getByTestId("exp-count").filter({ hasText: "· 1 MLflow run · 1 TensorBoard run" }).waitFor();
  await tbRow.getByTestId("exp-select").check();
  const lossChart = page.getByTestId("exp-charts").getByTestId("metric-chart").filter({ hasText: /^loss/ });
  await lossChart.waitFor();
  await page.getByTestId("exp-charts").locator(".legend-item").filter({ hasText: "runs/pytorch-baseline" }).waitFor();
  await shot(page, "04i4-experiments-tensorboard");
  await tbRow.getByTestId("exp-select").uncheck();
  // A W&B offline run (wandb/offline-run-…/run-<id>.wandb, W&B's SDK's own file) too.
  const wbDir = join(demoDir, "wandb", "offline-run-20261128_122917-jexn7cf7");
  mkdirSync(wbDir, { recursive: true });
  cpSync(join(repo, "crates/cairn-api/tests/fixtures/run-jexn7cf7.wandb"), join(wbDir, "run-jexn7cf7.wandb"));
  const wbRow = page.getByTestId("exp-row").filter({ hasText: "wandb-baseline" });
  await wbRow.filter({ hasText: "W&B" }).waitFor({ timeout: 20000 });
  if (await wbRow.getByTestId("exp-actions").count()) throw new Error("a W&B run has no DVC actions");
  await page.getByTestId("exp-count").filter({ hasText: "· 1 MLflow run · 1 TensorBoard run · 1 W&B run" }).waitFor();
  await wbRow.getByTestId("exp-select").check();
  await page.getByTestId("exp-charts").locator(".legend-item").filter({ hasText: "wandb-baseline" }).waitFor();
  await page.getByTestId("exp-charts").getByTestId("metric-chart").filter({ hasText: /^accuracy/ }).waitFor();
  await shot(page, "04i5-experiments-wandb");
  await wbRow.getByTestId("exp-select").uncheck();
  rmSync(join(demoDir, "wandb"), { recursive: true, force: true });
  await wbRow.waitFor({ state: "detached", timeout: 20000 });
  rmSync(join(demoDir, "runs"), { recursive: true, force: true });
  await tbRow.waitFor({ state: "detached", timeout: 20000 });
  rmSync(join(demoDir, "mlruns"), { recursive: true, force: true });
  await mlRow.waitFor({ state: "detached", timeout: 20000 });

  step("Run on an SSH worker: the experiment runs there and comes back with its outputs");
  const workerDir = join(tmp, "worker");
  const workerUrl = `ssh://${userInfo().username}@127.0.0.1:${ssh.port}${workerDir}`;
  // A worker folder that cannot be made: the run fails, its row says so, and its log
  // says why.
  await page.getByTestId("new-experiment-open").click();
  await page.getByTestId("new-experiment").waitFor();
  await page.getByLabel("train.epochs").fill("44");
  await page.getByLabel("Experiment name").fill("no-folder");
  await page.getByTestId("run-on").fill(`ssh://${userInfo().username}@127.0.0.1:${ssh.port}/proc/cairn-no-such/w`);
  await page.getByTestId("run-experiment").click();
  const failedPill = expRow("no-folder").getByTestId("queue-log-open").filter({ hasText: "failed on 127.0.0.1" });
  await failedPill.waitFor({ timeout: 60000 });
  await failedPill.click();
  await page.getByTestId("queue-log-lines").filter({ hasText: "ERROR:" }).waitFor();
  await page.getByTestId("queue-log-error").filter({ hasText: "cairn-no-such" }).waitFor();
  await page.getByTestId("queue-log-state").filter({ hasText: "failed on ssh://" }).waitFor();
  await shot(page, "04j0-worker-failed-log");
  await page.getByTestId("queue-log").getByRole("button", { name: "Close" }).click();
  spawnSync(bin, ["queue", "remove", "--done"], { cwd: demoDir });
  await page.getByTestId("new-experiment-open").click();
  await page.getByTestId("new-experiment").waitFor();
  await page.getByTestId("run-on").fill("gpu-box:/srv/cairn");
  await page.getByTestId("worker-problem").filter({ hasText: "SSH URL" }).waitFor();
  if (!(await page.getByTestId("run-experiment").isDisabled())) throw new Error("a malformed worker URL cannot be run on");
  await page.getByTestId("run-on").fill(workerUrl);
  await page.getByLabel("train.epochs").fill("45");
  await page.getByLabel("Experiment name").fill("on-worker");
  await page.getByTestId("run-experiment").filter({ hasText: "Run on worker" }).waitFor();
  await shot(page, "04j-run-on-worker");
  await page.getByTestId("run-experiment").click();
  await expRow("on-worker").waitFor({ timeout: 120000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="exp-row"] .pill-running'), null, { timeout: 120000 });
  const workerRef = git("for-each-ref", "--format=%(refname)", "refs/exps/").split("\n").find((r) => r.endsWith("/on-worker"));
  if (!workerRef) throw new Error("the worker's experiment ref came back");
  const workerEpochs = await expRow("on-worker").locator("td.changed").allInnerTexts();
  if (!workerEpochs.includes("45")) throw new Error(`the worker's experiment has its epochs: ${workerEpochs}`);
  // Its model is in this machine's cache (fetched from the worker's), and Cairn's
  // build is in the worker's folder.
  const lock = git("show", `${workerRef}:dvc.lock`);
  const modelMd5 = /path: model\.json\s+hash: md5\s+md5: ([0-9a-f]{32})/.exec(lock)?.[1];
  if (!modelMd5 || !existsSync(join(demoDir, ".dvc/cache/files/md5", modelMd5.slice(0, 2), modelMd5.slice(2))))
    throw new Error(`the worker's model.json (${modelMd5}) is in the local cache`);
  if (!spawnSync("ls", [join(workerDir, "bin")], { encoding: "utf8" }).stdout.startsWith("cairn-")) throw new Error("Cairn sent itself to the worker");
  // The worker is offered next time.
  await page.getByTestId("new-experiment-open").click();
  await page.getByTestId("new-experiment").waitFor();
  const offered = await page.locator("#cairn-workers option").evaluateAll((os) => os.map((o) => o.value));
  if (offered[0] !== workerUrl) throw new Error(`the worker is remembered: ${offered}`);
  await page.getByTestId("new-experiment").getByRole("button", { name: "Cancel" }).click();

  step("History: the applied experiment saved as a version; older commits keep their experiments; metrics over commits");
  // The work tree holds slow-lr (applied above): saving it makes a third commit whose
  // metrics differ from the one the experiments were run on.
  const slowAccuracy = await accuracyOf(expRow("slow-lr"));
  const runOnCommit = git("rev-parse", "HEAD");
  await page.getByTestId("tab-data").click();
  await page.getByTestId("unsaved").filter({ hasText: "params.yaml" }).waitFor();
  await page.getByLabel("Version message").fill("Slower learning rate");
  await page.getByTestId("save-version").click();
  await page.getByTestId("nothing-to-save").waitFor();
  // The header follows the new commit (git's refs are watched too).
  await page.getByTestId("last-commit").filter({ hasText: "Slower learning rate" }).waitFor();
  await page.getByTestId("tab-experiments").click();
  await page.getByTestId("exp-count").filter({ hasText: "0 experiments on" }).waitFor();
  if (await expRow("sweep-1").count()) throw new Error("HEAD alone: the older commit's experiments are not listed");
  await page.getByTestId("history").selectOption({ label: "Last 5 commits" });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-row"][data-kind="baseline"]').length === 3);
  const order = await page.locator('[data-testid="exp-row"]').evaluateAll((rows) => rows.map((r) => `${r.dataset.kind}:${r.querySelector(".exp-name span.mono, .exp-name span:not(.swatch)")?.textContent ?? ""}`));
  const at = (prefix) => order.findIndex((o) => o.startsWith(prefix));
  const second = order.findIndex((o, i) => o.startsWith("baseline") && i > at("baseline"));
  const third = order.findIndex((o, i) => o.startsWith("baseline") && i > second);
  const sweepAt = at("experiment:sweep-1");
  if (!(second < sweepAt && sweepAt < third) || !order[second].includes(runOnCommit.slice(0, 7)))
    throw new Error(`the experiments sit under the commit they ran on (${runOnCommit.slice(0, 7)}): ${order.join(", ")}`);
  await page.getByTestId("exp-count").filter({ hasText: "on 3 commits" }).waitFor();
  const headAccuracy = await accuracyOf(page.locator('[data-testid="exp-row"][data-kind="baseline"]').first());
  if (Number.parseFloat(headAccuracy) !== Number.parseFloat(slowAccuracy)) throw new Error(`the new commit has slow-lr's accuracy: ${headAccuracy} vs ${slowAccuracy}`);
  const trends = page.getByTestId("exp-trends");
  await trends.getByTestId("metric-chart").filter({ hasText: "accuracy" }).waitFor();
  await trends.filter({ hasText: "3 commits, oldest first" }).waitFor();
  await trends.scrollIntoViewIfNeeded();
  await shot(page, "04j-experiments-history");
  await page.getByTestId("history").selectOption({ label: "HEAD" });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exp-row"][data-kind="baseline"]').length === 1);
  await trends.waitFor({ state: "detached" });
  // A model version registered with GTO's tags in a terminal (what `gto register` and
  // `gto assign` write): the commit's row names it, and Models lists the registry.
  const tagAt = (name, rev) => {
    const r = spawnSync("git", ["-c", "user.name=Registry", "-c", "user.email=reg@cairn.invalid", "tag", "-a", name, "-m", `Registry: ${name}`, rev], { cwd: demoDir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git tag ${name}: ${r.stderr}`);
  };
  tagAt("flower-classifier@v1.0.0", "HEAD~1");
  tagAt("flower-classifier@v1.1.0", "HEAD");
  tagAt("flower-classifier#prod#1", "HEAD~1");
  tagAt("flower-classifier#dev#2", "HEAD");
  await page.getByTestId("model-pill").filter({ hasText: "flower-classifier v1.1.0 · dev" }).waitFor({ timeout: 20000 });
  await shot(page, "04j1-model-version-row");
  await page.getByTestId("models-open").click();
  const modelRow = page.locator('[data-testid="model-row"][data-model="flower-classifier"]');
  await modelRow.locator('[data-testid="model-stage"][data-stage="prod"]').filter({ hasText: "v1.0.0" }).waitFor();
  await modelRow.locator('[data-testid="model-stage"][data-stage="dev"]').filter({ hasText: "v1.1.0" }).waitFor();
  if ((await page.getByTestId("model-version").count()) !== 2) throw new Error("the two versions are listed");
  await shot(page, "04j2-models");
  // Promote v1.1.0 to prod from the dialog: the tag gto assign would write, and prod
  // shows the newest assignment. (Registry times are whole seconds.)
  await page.waitForTimeout(1100);
  await page.getByLabel("Stage for flower-classifier v1.1.0").fill("prod");
  await page.locator('[data-testid="model-version"]').filter({ hasText: "v1.1.0" }).getByTestId("assign-submit").click();
  await modelRow.locator('[data-testid="model-stage"][data-stage="prod"]').filter({ hasText: "v1.1.0" }).waitFor();
  const promoted = spawnSync("git", ["tag", "-l", "flower-classifier#prod#*"], { cwd: demoDir, encoding: "utf8" }).stdout;
  if (!promoted.split("\n").includes("flower-classifier#prod#3")) throw new Error(`the assignment's tag: ${promoted}`);
  // The current commit is v1.1.0 already: registering it again is refused, with why.
  await page.getByTestId("register-version").fill("v2.0.0");
  await page.getByTestId("register-submit").click();
  await page.getByTestId("models-error").filter({ hasText: "is flower-classifier v1.1.0 already" }).waitFor();
  await shot(page, "04j3-models-promoted");
  await page.keyboard.press("Escape");
  await page.getByTestId("models-dialog").waitFor({ state: "detached" });

  step("new data: modified → tracked again → saved; Versions lists both; checking out the old one restores it");
  const flowers = join(demoDir, "data", "flowers.csv");
  const original = readFileSync(flowers, "utf8");
  await page.getByTestId("tab-data").click();
  await page.getByTestId("tracked-table").waitFor();
  writeFileSync(flowers, original + "6.1,2.9,4.7,1.4,versicolor\n5.0,3.5,1.4,0.2,setosa\n");
  await page.getByTestId("data-row-data/flowers.csv").filter({ hasText: "modified" }).waitFor({ timeout: 20000 });
  await page.getByTestId("track-data").click();
  await page.getByLabel("Path to track").fill("data/flowers.csv");
  await page.getByTestId("track-confirm").click();
  await page.getByTestId("data-row-data/flowers.csv").filter({ hasText: "in sync" }).waitFor();
  await page.getByTestId("unsaved").filter({ hasText: "data/flowers.csv.dvc" }).waitFor();
  await page.getByLabel("Version message").fill("Two more flowers");
  await page.getByTestId("save-version").click();
  await page.getByTestId("nothing-to-save").waitFor();
  await page.getByTestId("versions-data/flowers.csv").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="version"]').length === 2);
  await shot(page, "05b-data-versions");
  await page.getByTestId("checkout-version").click();
  await page.getByTestId("versions-dialog").filter({ hasText: "current" }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="version"]:last-child')?.textContent?.includes("current"));
  await page.keyboard.press("Escape");
  if (readFileSync(flowers, "utf8") !== original) throw new Error("checking out the first version restores the original data");
  await page.getByTestId("unsaved").filter({ hasText: "data/flowers.csv.dvc" }).waitFor();

  step("Preview: the tracked table at any version, from the cache, compared with another");
  await page.getByTestId("preview-data/flowers.csv").click();
  await page.locator('[data-testid="preview"][data-kind="table"]').waitFor();
  const shownRows = await page.locator(".preview-table tbody tr").count();
  const csvRows = original.trim().split("\n").length - 1;
  if (shownRows !== Math.min(200, csvRows)) throw new Error(`preview rows: ${shownRows} of ${csvRows}`);
  await page.getByLabel("Version to compare with").selectOption({ index: 1 });
  await page.getByTestId("preview-changes").filter({ hasText: "+0 rows, −2 rows" }).waitFor();
  if ((await page.getByTestId("row-removed").count()) !== 2) throw new Error("the two rows the newer version added are listed");
  await shot(page, "05c-data-preview");
  await page.keyboard.press("Escape");

  step("Preview of a Parquet table: each column's type, missing values, the row count from the footer");
  // pyarrow's zstd file: the flowers with every 37th row's measurements missing.
  cpSync(join(repo, "crates/cairn-api/tests/fixtures/flowers.parquet"), join(demoDir, "data", "flowers.parquet"));
  await page.getByTestId("track-data").click();
  await page.getByLabel("Path to track").fill("data/flowers.parquet");
  await page.getByTestId("track-confirm").click();
  await page.getByTestId("preview-data/flowers.parquet").click();
  await page.locator('[data-testid="preview"][data-kind="table"]').waitFor();
  const types = (await page.locator(".preview-table thead .col-type").allTextContents()).join(", ");
  if (types !== "double, double, double, double, string, timestamp[us, UTC]") throw new Error(`column types: ${types}`);
  // Rows 5, 42, 79, 116, 153 and 190 of the first 200: four missing values each.
  const nulls = await page.locator(".preview-table tbody td.null").count();
  if (nulls !== 24) throw new Error(`${nulls} cells shown as missing, not 24`);
  await page.getByTestId("preview").filter({ hasText: "The first 200 of 300 rows." }).waitFor();
  await page.locator(".preview-table tbody tr").nth(5).scrollIntoViewIfNeeded();
  await shot(page, "05c1-data-preview-parquet");
  await page.keyboard.press("Escape");

  step("Move… renames tracked data with its .dvc file (dvc move); Undo moves it back");
  await page.getByTestId("move-data/flowers.parquet").click();
  await page.getByLabel("New path").fill("data/tables/flowers.parquet");
  await shot(page, "05c1b-data-move");
  await page.getByTestId("move-confirm").click();
  await page.getByTestId("data-row-data/tables/flowers.parquet").filter({ hasText: "data/tables/flowers.parquet.dvc" }).filter({ hasText: "in sync" }).waitFor();
  if (existsSync(join(demoDir, "data", "flowers.parquet")) || !existsSync(join(demoDir, "data", "tables", "flowers.parquet.dvc")))
    throw new Error("the data and its .dvc file moved");
  await page.locator(".toast").filter({ hasText: "Moved data/flowers.parquet to data/tables/flowers.parquet" }).getByRole("button", { name: "Undo" }).click();
  await page.getByTestId("data-row-data/flowers.parquet").filter({ hasText: "in sync" }).waitFor();
  if (!existsSync(join(demoDir, "data", "flowers.parquet.dvc")) || existsSync(join(demoDir, "data", "tables", "flowers.parquet")))
    throw new Error("undo moves it back");

  step("Set up a remote in the app, push, lose the data and its cache copy, Pull brings it back");
  const store = join(tmp, "store");
  const dvcConfig = join(demoDir, ".dvc", "config");
  await page.getByTestId("tab-runs").click();
  await page.getByTestId("tab-data").click();
  await page.getByTestId("remote-settings").filter({ hasText: "Set up remote" }).click();
  await page.getByTestId("remote-name-input").fill("store");
  // An S3 location asks for the endpoint and keys; a folder needs nothing more.
  await page.getByTestId("remote-url").fill("s3://team-bucket/flowers");
  await page.getByTestId("remote-endpoint").waitFor();
  await shot(page, "05c-remote-setup-s3");
  // SSH asks for a port and a key file, Azure for a connection string, GCS for a key file.
  await page.getByTestId("remote-url").fill("ssh://me@gpu-box/srv/dvc-store");
  await page.getByTestId("remote-port").waitFor();
  await page.getByTestId("remote-keyfile").waitFor();
  await shot(page, "05c2-remote-setup-ssh");
  await page.getByTestId("remote-url").fill("azure://team/flowers");
  await page.getByTestId("remote-connection-string").waitFor();
  await page.getByTestId("remote-url").fill("gs://team-bucket/flowers");
  await page.getByTestId("remote-credential-path").waitFor();
  // WebDAV (a Nextcloud folder) asks for a user and a password.
  await page.getByTestId("remote-url").fill("webdavs://cloud.example.org/remote.php/dav/files/me/flowers");
  await page.getByTestId("remote-user").fill("me");
  await page.getByTestId("remote-password").waitFor();
  await shot(page, "05c3-remote-setup-webdav");
  await page.getByTestId("remote-url").fill(store);
  await page.getByTestId("remote-endpoint").waitFor({ state: "detached" });
  await page.getByTestId("remote-credential-path").waitFor({ state: "detached" });
  await page.getByTestId("remote-save").click();
  await page.getByTestId("remote-dialog").waitFor({ state: "detached" });
  await page.getByTestId("remote-name").filter({ hasText: "store" }).waitFor();
  const written = readFileSync(dvcConfig, "utf8");
  if (!written.includes("    remote = store\n") || !written.includes(`['remote "store"']\n    url = ${store}\n`))
    throw new Error(`the remote is written as dvc writes it:\n${written}`);
  // Check remote: nothing pushed yet, so every recorded output (the data set and the
  // pipeline's cached ones) is missing there.
  await page.getByTestId("check-remote").click();
  await page.locator(".toast").filter({ hasText: /(\d+) of \1 recorded outputs not on store: .*data\/flowers\.csv/ }).waitFor();
  await page.getByTestId("tracked-table").locator(".pill").filter({ hasText: "not pushed" }).first().waitFor();
  await page.getByTestId("push-data").click();
  // The data set and the pipeline's cached outputs (model, features…).
  await page.locator(".toast").filter({ hasText: /\d+ files pushed to store/ }).waitFor();
  await page.getByTestId("check-remote").click();
  await page.locator(".toast").filter({ hasText: /All \d+ recorded outputs are on store/ }).waitFor();
  await page.getByTestId("tracked-table").locator(".pill").filter({ hasText: "on remote" }).first().waitFor();
  if ((await page.getByTestId("tracked-table").locator(".pill").filter({ hasText: "not pushed" }).count()) !== 0) throw new Error("after a push nothing is left unpushed");
  await shot(page, "05c4-remote-check");
  const md5 = /md5: ([0-9a-f]{32})/.exec(readFileSync(join(demoDir, "data", "flowers.csv.dvc"), "utf8"))?.[1];
  if (!md5 || !existsSync(join(store, "files", "md5", md5.slice(0, 2), md5.slice(2)))) throw new Error("the object is on the remote, in DVC's layout");
  const beforePull = readFileSync(flowers, "utf8");
  rmSync(flowers);
  rmSync(join(demoDir, ".dvc", "cache", "files", "md5", md5.slice(0, 2), md5.slice(2)), { force: true });
  await page.getByTestId("data-row-data/flowers.csv").filter({ hasText: /deleted|not in cache/ }).waitFor({ timeout: 20000 });
  await shot(page, "05d-data-remote");
  await page.getByTestId("pull-data").click();
  await page.locator(".toast").filter({ hasText: "pulled from store; restored data/flowers.csv" }).waitFor();
  if (readFileSync(flowers, "utf8") !== beforePull) throw new Error("pull restores the data");
  await page.getByTestId("data-row-data/flowers.csv").filter({ hasText: "in sync" }).waitFor();

  step("Add folder… finds a repository; running an untrusted project asks for trust first");
  const other = join(tmp, "work", "flowers-copy");
  cpSync(join(dataDir, "projects", "cairn-demo"), other, { recursive: true });
  await page.getByTestId("nav-home").click();
  await page.getByTestId("add-folder").click();
  await page.getByLabel("Folder path").fill(join(tmp, "work"));
  await page.keyboard.press("Enter");
  await page.getByTestId("project-name").filter({ hasText: "flowers-copy" }).waitFor();
  await page.getByTestId("force-all").click();
  await page.getByTestId("trust-dialog").waitFor();
  await shot(page, "06-trust-dialog");
  await page.getByTestId("trust-confirm").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="stage-node-"][data-state="up_to_date"]').length >= 4, null, { timeout: 90000 });

  step("Home lists both projects with branch, commit and status");
  await page.getByTestId("nav-home").click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="project-card"]').length === 2);
  await page.getByTestId("project-list").filter({ hasText: "up to date" }).waitFor();
  await shot(page, "00-home");

  step("Compare: two projects side by side, uncommitted results, experiments, sorted across projects");
  // The copy gets a learning rate of its own, not committed: its work tree is listed.
  const otherParams = join(other, "params.yaml");
  const otherOriginal = readFileSync(otherParams, "utf8");
  writeFileSync(otherParams, otherOriginal.replace(/learning_rate: [0-9.]+/, "learning_rate: 0.777"));
  // And the demo an experiment on its current commit (the earlier ones are on older ones).
  const quick = spawnSync(bin, ["exp", "run", "-S", "train.epochs=20", "--name", "quick"], {
    cwd: demoDir,
    env: { ...process.env, CAIRN_DATA_DIR: dataDir },
    encoding: "utf8",
  });
  if (quick.status !== 0) throw new Error(`cairn exp run failed:\n${quick.stdout}\n${quick.stderr}`);
  await page.getByTestId("compare-open").click();
  await page.getByTestId("compare-bar").waitFor();
  await page.getByTestId("project-card").filter({ hasText: "cairn-demo" }).click();
  await page.getByTestId("project-card").filter({ hasText: "flowers-copy" }).getByTestId("compare-pick").check();
  await page.getByTestId("compare-go").click();
  await page.getByTestId("compare").waitFor();
  const compareRow = (project, kind) => page.locator(`[data-testid="compare-row"][data-project="${project}"][data-kind="${kind}"]`);
  await compareRow("flowers-copy", "workspace").waitFor();
  await compareRow("cairn-demo", "baseline").waitFor();
  const lrIndex = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "compare-col-param-train.learning_rate"));
  if (lrIndex < 0) throw new Error("the changed learning rate is a column");
  if ((await compareRow("flowers-copy", "workspace").locator("td").nth(lrIndex).innerText()) !== "0.777")
    throw new Error("the copy's uncommitted learning rate is shown");
  if (await page.locator('[data-testid="compare-row"][data-kind="experiment"]').count()) throw new Error("experiments only when asked");
  // Each project's HEAD is charted at first: the step series of both repositories, together.
  const compareCharts = page.getByTestId("compare-charts");
  await compareCharts.locator(".legend-item").filter({ hasText: "cairn-demo · main" }).waitFor();
  await compareCharts.locator(".legend-item").filter({ hasText: "flowers-copy · main" }).waitFor();
  await compareCharts.getByTestId("metric-chart").filter({ hasText: "train/loss" }).locator("canvas").first().waitFor();
  await compareRow("flowers-copy", "workspace").getByTestId("compare-select").check();
  await compareCharts.locator(".legend-item").filter({ hasText: "flowers-copy · workspace" }).waitFor();
  await page.getByTestId("compare-experiments").check();
  await page.locator('[data-testid="compare-row"][data-project="cairn-demo"][data-kind="experiment"]').filter({ hasText: "quick" }).waitFor();
  // Sorted by accuracy (highest first) across both projects.
  await page.getByTestId("compare-col-metric-accuracy").click();
  const accIndex = await page.locator(".exp-table thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.testid === "compare-col-metric-accuracy"));
  const accs = (await page.locator('[data-testid="compare-row"]').evaluateAll((rows, i) => rows.map((r) => r.querySelectorAll("td")[i]?.textContent ?? ""), accIndex))
    .map(Number.parseFloat)
    .filter((x) => !Number.isNaN(x));
  if (accs.length < 4 || accs.some((a, i) => i > 0 && a > accs[i - 1])) throw new Error(`sorted by accuracy, highest first: ${accs}`);
  await shot(page, "00b-compare");
  await page.locator('[data-testid="compare-row"][data-project="flowers-copy"]').first().getByRole("button", { name: "flowers-copy" }).click();
  await page.getByTestId("project-name").filter({ hasText: "flowers-copy" }).waitFor();
  await page.locator('[data-testid="tab-experiments"][aria-selected="true"]').waitFor();
  writeFileSync(otherParams, otherOriginal);
  await page.getByTestId("nav-home").click();
  // `quick` was made in a terminal after the demo was last opened: Home says so.
  await page.getByTestId("project-card").filter({ hasText: "cairn-demo" }).getByTestId("project-news").filter({ hasText: "1 new experiment since you last opened it" }).waitFor();
  if (await page.getByTestId("project-card").filter({ hasText: "flowers-copy" }).getByTestId("project-news").count())
    throw new Error("the project just opened has no news");
  await shot(page, "00c-home-news");

  step("a malformed dvc.yaml is reported with its file and line; the project still opens");
  const dvcYaml = join(other, "dvc.yaml");
  writeFileSync(dvcYaml, readFileSync(dvcYaml, "utf8").replace("    cmd: python3 src/train.py", "    cmd: [python3 src/train.py"));
  await page.getByTestId("project-card").filter({ hasText: "flowers-copy" }).click();
  const problems = page.getByTestId("pipeline-problems");
  await problems.filter({ hasText: /dvc\.yaml:\d+/ }).waitFor();
  const text = await problems.innerText();
  const line = Number(/dvc\.yaml:(\d+)/.exec(text)?.[1]);
  if (!(line >= 22 && line <= 30)) throw new Error(`expected the broken line (~23) in: ${text}`);
  await shot(page, "07-broken-dvc-yaml");

  step("large graphs: a foreach group is one node until expanded; focus shows one stage's lineage");
  writeFileSync(
    dvcYaml,
    [
      "stages:",
      "  prepare:",
      "    cmd: python3 src/prepare.py data/flowers.csv data/prepared",
      "    deps: [data/flowers.csv]",
      "    outs: [data/prepared]",
      "  sweep:",
      "    foreach: [1, 2, 3, 4, 5, 6]",
      "    do:",
      "      cmd: echo ${item} > sweep-${item}.txt",
      "      deps: [data/prepared]",
      "      outs:",
      "        - sweep-${item}.txt",
      "  summary:",
      "    cmd: cat sweep-1.txt sweep-2.txt > summary.txt",
      "    deps: [sweep-1.txt, sweep-2.txt]",
      "    outs: [summary.txt]",
      "  lonely:",
      "    cmd: echo hi > lonely.txt",
      "    outs: [lonely.txt]",
      "",
    ].join("\n"),
  );
  const group = page.getByTestId("stage-node-group:sweep");
  await group.filter({ hasText: "sweep ×6" }).waitFor();
  if ((await page.getByTestId("stage-node-sweep@1").count()) !== 0) throw new Error("the group's stages should be collapsed");
  await page.locator(".react-flow__edge[data-id='group:sweep->summary']").waitFor({ state: "attached" });
  await shot(page, "07b-group-collapsed");
  await group.click();
  await page.getByTestId("stage-node-sweep@6").waitFor();
  // The opened group is laid out again (in a worker) and fitted: click once nodes rest.
  await page.locator('.react-flow[data-layout="done"]').waitFor();
  await page.getByTestId("stage-node-sweep@3").click();
  await page.getByTestId("focus-stage").click();
  await page.getByTestId("focus-chip").waitFor();
  await page.getByTestId("stage-node-lonely").waitFor({ state: "detached" });
  await page.getByTestId("stage-node-summary").waitFor({ state: "detached" });
  await page.getByTestId("stage-node-prepare").waitFor();
  await shot(page, "07c-focus");
  await page.getByTestId("focus-clear").click();
  await page.getByTestId("stage-node-lonely").waitFor();
  await page.getByTestId("collapse-group").click();
  await group.waitFor();
  // Selection syntax: only the selected stages are drawn, and can run or become a command.
  await page.getByTestId("stage-select").fill("+summary");
  await page.getByTestId("selection-chip").filter({ hasText: "4 stages" }).waitFor();
  await page.getByTestId("stage-node-lonely").waitFor({ state: "detached" });
  await page.getByTestId("stage-node-prepare").waitFor();
  await page.getByTestId("copy-selection-command").click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  if (copied !== "cairn repro --single-item prepare sweep@1 sweep@2 summary") throw new Error(`selection command: ${copied}`);
  await shot(page, "07d-selection");
  await page.getByTestId("stage-select").fill("lonely nope");
  await page.getByTestId("selection-chip").filter({ hasText: "No stage matches nope" }).waitFor();
  await page.getByTestId("stage-select").press("Escape");
  await page.getByTestId("stage-node-summary").waitFor();
  // Drag a node out of the way: it stays there (saved), until Reset layout.
  const lonely = page.getByTestId("stage-node-lonely");
  const nodeTransform = () => lonely.evaluate((el) => el.closest(".react-flow__node")?.style.transform ?? "");
  // Leaving the selection re-lays out the whole graph (asynchronously): wait until the
  // node stops moving before taking its auto-layout place.
  let before = await nodeTransform();
  for (let settled = 0; settled < 3; ) {
    await page.waitForTimeout(200);
    const now = await nodeTransform();
    settled = now === before ? settled + 1 : 0;
    before = now;
  }
  const box = await lonely.boundingBox();
  if (!box) throw new Error("the lonely stage is on screen");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 120, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId("reset-layout").waitFor();
  const dragged = await nodeTransform();
  if (dragged === before) throw new Error("the node moved");
  await page.getByTestId("tab-runs").click();
  await page.getByTestId("tab-pipeline").click();
  await page.getByTestId("reset-layout").waitFor();
  if ((await nodeTransform()) !== dragged) throw new Error(`the dragged place is kept: ${await nodeTransform()} vs ${dragged}`);
  await page.getByTestId("reset-layout").click();
  await page.getByTestId("reset-layout").waitFor({ state: "detached" });
  await page.waitForFunction((b) => document.querySelector('[data-testid="stage-node-lonely"]')?.closest(".react-flow__node")?.style.transform === b, before);

  step("dark mode follows the OS");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByTestId("nav-home").click();
  await page.getByTestId("project-card").filter({ hasText: "cairn-demo" }).click();
  await openStage(page, "evaluate");
  await shot(page, "08-pipeline-dark");

  step("Remove from list takes a project off Home (its files stay)");
  await page.getByTestId("nav-home").click();
  await page.getByRole("button", { name: "Remove flowers-copy from list" }).click();
  await page.getByRole("button", { name: "Remove from list" }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="project-card"]').length === 1);
  if (!readFileSync(dvcYaml, "utf8")) throw new Error("removing a project must not touch its files");

  step("Clone… shows progress, Stop leaves nothing, and a finished clone opens untrusted");
  const clones = join(tmp, "clones");
  mkdirSync(clones);
  const slowUrl = (secs) => `ext::sh -c sleep% ${secs};git% upload-pack% ${demoDir}`;
  await page.getByTestId("nav-home").click();
  await page.getByTestId("clone").click();
  await page.getByLabel("Repository URL").fill(slowUrl(30));
  await page.getByLabel("Folder to clone into").fill(clones);
  await page.getByLabel("Project folder name").fill("cloned-demo");
  await page.getByRole("button", { name: "Clone", exact: true }).click();
  await page.getByTestId("clone-progress").waitFor();
  await page.getByTestId("progress-task").filter({ hasText: "Cloning cloned-demo" }).waitFor();
  await shot(page, "09-clone-progress");
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByTestId("clone-dialog").filter({ hasText: "cancelled; nothing was kept" }).waitFor({ timeout: 10000 });
  if (existsSync(join(clones, "cloned-demo"))) throw new Error("a stopped clone leaves no folder behind");
  await page.getByLabel("Repository URL").fill(slowUrl(1));
  await page.getByRole("button", { name: "Clone", exact: true }).click();
  await page.getByTestId("project-name").filter({ hasText: "cloned-demo" }).waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="stage-node-"]').length >= 4);
  if (!existsSync(join(clones, "cloned-demo", "dvc.yaml"))) throw new Error("the clone is on disk");
  await page.getByTestId("force-all").click();
  await page.getByTestId("trust-dialog").waitFor();
  await page.keyboard.press("Escape");

  step("New project…: a committed DVC repository made from nothing, opened and trusted");
  await page.getByTestId("nav-home").click();
  const fresh = join(tmp, "fresh");
  mkdirSync(fresh);
  await page.getByTestId("new-project").click();
  await page.getByLabel("Project name").fill("first-model");
  await page.getByLabel("Folder to create it in").fill(fresh);
  await shot(page, "10-new-project");
  await page.getByTestId("new-project-create").click();
  await page.getByTestId("project-name").filter({ hasText: "first-model" }).waitFor();
  const made = join(fresh, "first-model");
  if (!existsSync(join(made, ".dvc", "config"))) throw new Error("the new project has DVC's files");
  const log = spawnSync("git", ["log", "--format=%s"], { cwd: made, encoding: "utf8" }).stdout;
  if (log !== "Start the project\n") throw new Error(`one commit: ${log}`);
  // Trusted: a first stage added in the app (from the empty pipeline) runs without asking.
  await page.getByTestId("add-first-stage").click();
  const add = page.getByTestId("add-stage");
  await add.getByLabel("Stage name").fill("hello");
  await add.getByLabel("Command").fill("echo hello > hello.txt");
  await add.getByLabel("Outputs").fill("hello.txt");
  await page.getByTestId("add-stage-submit").click();
  await page.getByTestId("stage-node-hello").waitFor();
  await page.getByTestId("run-all").click();
  await page.locator('[data-testid="stage-node-hello"][data-state="up_to_date"]').waitFor({ timeout: 30000 });
  if (readFileSync(join(made, "hello.txt"), "utf8") !== "hello\n") throw new Error("the stage ran");

  step("A requirements.txt and no environment: Make .venv makes it, git ignores it, the header names it");
  writeFileSync(join(made, "requirements.txt"), "# the standard library is enough\n");
  await page.getByTestId("make-python-env").filter({ hasText: "Make .venv from requirements.txt" }).waitFor({ timeout: 20000 });
  await shot(page, "10b-make-venv");
  await page.getByTestId("make-python-env").click();
  await page.getByTestId("make-python-env").filter({ hasText: "Making .venv…" }).waitFor();
  // A half-made venv is not offered as the stages' environment.
  if (await page.getByTestId("python-env").count()) throw new Error("the header names the venv before it is made");
  await page.locator(".toast").filter({ hasText: "Stages now run in .venv (Python 3." }).waitFor({ timeout: 120000 });
  await page.getByTestId("python-env").filter({ hasText: ".venv (Python 3." }).waitFor();
  if (await page.getByTestId("make-python-env").count()) throw new Error("the offer goes once the venv is there");
  const untracked = spawnSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: made, encoding: "utf8" }).stdout;
  if (untracked.includes(".venv")) throw new Error(`git lists the venv:\n${untracked}`);
  await shot(page, "10c-venv-made");

  step("A sweep is followed live: its rows and curves grow while its experiments train in their own worktrees");
  // A training loop that logs a loss per step, as DVCLive does, for `steps` steps (more
  // steps start from a higher loss, so the two curves are told apart).
  writeFileSync(join(made, "params.yaml"), "steps: 30\n");
  writeFileSync(
    join(made, "train.sh"),
    [
      "steps=$(sed -n 's/^steps: //p' params.yaml)",
      "mkdir -p dvclive/plots/metrics",
      "printf 'step\\tloss\\n' > dvclive/plots/metrics/loss.tsv",
      "i=0",
      'while [ "$i" -lt "$steps" ]; do',
      "  printf '%s\\t%s\\n' \"$i\" \"$(((steps - 38) * 1000 / (i + 1)))\" >> dvclive/plots/metrics/loss.tsv",
      "  i=$((i + 1)); sleep 0.2",
      "done",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(made, "dvc.yaml"),
    readFileSync(join(made, "dvc.yaml"), "utf8") + "  train:\n    cmd: sh train.sh\n    deps:\n    - train.sh\n    params:\n    - steps\n    plots:\n    - dvclive/plots/metrics/loss.tsv:\n        cache: false\n",
  );
  for (const args of [["add", "-A"], ["commit", "-q", "-m", "A training loop"]]) {
    const r = spawnSync("git", args, { cwd: made, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr}`);
  }
  await page.getByTestId("tab-experiments").click();
  await page.getByTestId("new-experiment-open").click();
  await page.getByLabel("steps").fill("40,41");
  await page.getByLabel("Experiment name").fill("live");
  await page.getByTestId("run-experiment").click();
  const running = page.getByTestId("exp-row").filter({ hasText: "live-1" }).locator(".pill-running");
  await running.waitFor({ timeout: 60000 });
  const liveLoss = () =>
    page.evaluate(() => Number([...document.querySelectorAll('[data-testid="metric-chart"]')].find((f) => f.querySelector("figcaption")?.textContent === "loss")?.dataset.points ?? 0));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="metric-chart"]')].some((f) => f.querySelector("figcaption")?.textContent === "loss" && Number(f.dataset.points) > 0), null, { timeout: 30000 });
  const grown = await liveLoss();
  // More points while the experiment is still running: the curve grows live.
  await page.waitForFunction(
    (n) =>
      !!document.querySelector('[data-testid="exp-row"] .pill-running') &&
      Number([...document.querySelectorAll('[data-testid="metric-chart"]')].find((f) => f.querySelector("figcaption")?.textContent === "loss")?.dataset.points ?? 0) > n,
    grown,
    { timeout: 30000 },
  );
  await shot(page, "10d-sweep-live");
  await page.waitForFunction(() => !document.querySelector('[data-testid="exp-row"] .pill-running'), null, { timeout: 120000 });
  // Finished, each is charted from its commit: every step of both.
  await page.waitForFunction(() => Number([...document.querySelectorAll('[data-testid="metric-chart"]')].find((f) => f.querySelector("figcaption")?.textContent === "loss")?.dataset.points ?? 0) >= 81, null, { timeout: 30000 });

  const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  if (real.length) throw new Error(`console errors:\n${real.join("\n")}`);
}

let failed = false;
let lastPage;
try {
  await main();
  console.log(`browser e2e: ${steps.length} steps passed; screenshots in ${shots}`);
} catch (e) {
  failed = true;
  await lastPage?.screenshot({ path: join(shots, "FAILED.png") }).catch(() => undefined);
  console.error(`browser e2e FAILED at step "${steps[steps.length - 1]}":\n${e?.stack ?? e}`);
} finally {
  await browser?.close().catch(() => undefined);
  server?.kill("SIGTERM");
  sshServer?.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
