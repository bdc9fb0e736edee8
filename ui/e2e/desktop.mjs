// Desktop end-to-end test of the real app binary in WebKitGTK, through tauri-driver and
// WebKitWebDriver. Needs a display (scripts/test.sh runs it under its own Xvfb).
//
//   node e2e/desktop.mjs     (CAIRN_DESKTOP_BIN defaults to ../target/debug/cairn-desktop)
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Builder, By, Capabilities } from "selenium-webdriver";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const app = process.env.CAIRN_DESKTOP_BIN ?? join(repo, "target/debug/cairn-desktop");
const cli = process.env.CAIRN_BIN ?? join(repo, "target/debug/cairn");
const shots = join(repo, "artifacts/screenshots");
mkdirSync(shots, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), "cairn-desktop-e2e-"));
const steps = [];
let driverProc;
let driver;

function step(name) {
  steps.push(name);
  console.log(`  • ${name}`);
}

function portOpen(port) {
  return new Promise((ok) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => {
      s.destroy();
      ok(true);
    });
    s.on("error", () => ok(false));
  });
}

async function waitPorts(ports, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await Promise.all(ports.map(portOpen))).every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not open ports ${ports.join(", ")}`);
}

async function shot(name) {
  await driver.sleep(400);
  writeFileSync(join(shots, `${name}.png`), await driver.takeScreenshot(), "base64");
}

// WebKitWebDriver raises StaleElementReferenceError even from findElements when React
// replaces a node while the lookup runs; a polled condition treats that as "not yet".
function waitFor(condition, ms, message) {
  return driver.wait(
    async () => {
      try {
        return await condition();
      } catch (e) {
        if (e?.name === "StaleElementReferenceError") return false;
        throw e;
      }
    },
    ms,
    message,
  );
}

function located(css, ms) {
  return waitFor(async () => (await driver.findElements(By.css(css)))[0], ms, `an element at ${css}`);
}

async function stateOf(stage) {
  return driver.findElement(By.css(`[data-testid="stage-node-${stage}"]`)).getAttribute("data-state");
}

async function main() {
  const tauriDriver = process.env.TAURI_DRIVER ?? "tauri-driver";
  driverProc = spawn(tauriDriver, ["--port", "4444", "--native-port", "4445", "--native-driver", "/usr/bin/WebKitWebDriver"], {
    // The POSIX locale on purpose: WebKitGTK then reports the language "C", which Intl
    // rejects — the harshest environment a desktop session gives the frontend.
    env: { ...process.env, CAIRN_DATA_DIR: join(tmp, "data"), LANG: "C", LC_ALL: "C" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  // Both ports must accept connections before the session is created.
  await waitPorts([4444, 4445]);

  const caps = new Capabilities();
  caps.setBrowserName("wry");
  caps.set("tauri:options", { application: app });
  driver = await new Builder().withCapabilities(caps).usingServer("http://127.0.0.1:4444/").build();

  step("the app launches and opens the demo project");
  await located('[data-testid="project-name"]', 30000);
  await waitFor(async () => (await driver.findElement(By.css('[data-testid="project-name"]')).getText()) === "cairn-demo", 20000);

  step("the DAG shows the four stages");
  for (const s of ["prepare", "featurize", "train", "evaluate"]) {
    await located(`[data-testid="stage-node-${s}"]`, 15000);
  }
  await shot("desktop-01-pipeline");

  step("Run: the DAG shows success");
  await driver.findElement(By.css('[data-testid="run-all"]')).click();
  await waitFor(
    async () => {
      const states = await Promise.all(["prepare", "featurize", "train", "evaluate"].map(stateOf));
      return states.every((s) => s === "up_to_date");
    },
    90000,
    "every stage turns up to date",
  );
  await waitFor(async () => (await driver.findElement(By.css('[data-testid="log-lines"]')).getText()).includes("test accuracy"), 15000);
  await driver.findElement(By.css('[data-testid="stage-node-evaluate"]')).click();
  await located('[data-testid="stage-panel"]', 10000);
  await shot("desktop-02-run-succeeded");

  step("Add stage in WebKit: written to dvc.yaml, then undone from the toast");
  const demoYaml = join(tmp, "data", "projects", "cairn-demo", "dvc.yaml");
  const originalYaml = readFileSync(demoYaml, "utf8");
  await driver.findElement(By.css('[data-testid="add-stage-open"]')).click();
  const addDialog = await located('[data-testid="add-stage"]', 10000);
  await addDialog.findElement(By.css('input[aria-label="Stage name"]')).sendKeys("report");
  await addDialog.findElement(By.css('textarea[aria-label="Command"]')).sendKeys("cp model.json report.txt");
  await addDialog.findElement(By.css('input[aria-label="Input model.json"]')).click();
  await addDialog.findElement(By.css('textarea[aria-label="Outputs"]')).sendKeys("report.txt");
  await addDialog.findElement(By.css('[data-testid="add-stage-submit"]')).click();
  await located('[data-testid="stage-node-report"]', 15000);
  if (!readFileSync(demoYaml, "utf8").includes("\n  report:\n    cmd: cp model.json report.txt\n")) throw new Error("the stage was not written to dvc.yaml");
  await shot("desktop-03-stage-added");
  await driver.findElement(By.css(".toast-action")).click();
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="stage-node-report"]'))).length === 0, 15000, "undo removes the stage");
  if (readFileSync(demoYaml, "utf8") !== originalYaml) throw new Error("undo did not restore dvc.yaml");

  step("Experiments tab: the work tree's params, metrics and step charts");
  await driver.findElement(By.css('[data-testid="tab-experiments"]')).click();
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="exp-row"]'))).length >= 2, 15000, "workspace and baseline rows");
  await located('[data-testid="col-metric-accuracy"]', 15000);
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="metric-chart"] canvas'))).length >= 1, 15000, "a step chart");
  await shot("desktop-04-experiments");
  // Step-series columns through a native <select> in WebKit.
  await driver.findElement(By.css('[data-testid="series-mode"] option[value="minmax"]')).click();
  await located('[data-testid="col-series-train/loss-min"]', 15000);
  await shot("desktop-04b-series-columns");
  await driver.findElement(By.css('[data-testid="series-mode"] option[value="off"]')).click();

  step("A derived column typed in WebKit; a commit made outside the app shows in the header and the history");
  await driver.findElement(By.css('[data-testid="derived-open"]')).click();
  const derivedDialog = await located('[data-testid="derived-dialog"]', 10000);
  await derivedDialog.findElement(By.css('input[aria-label="Column name"]')).sendKeys("error pct");
  await derivedDialog.findElement(By.css('[data-testid="derived-formula"]')).sendKeys("(1 - accuracy) * 100");
  await located('[data-testid="derived-sample"]', 5000);
  await driver.findElement(By.css('[data-testid="derived-add"]')).click();
  await located('[data-testid="derived-list"]', 5000);
  await derivedDialog.findElement(By.css(".modal-foot button")).click();
  await located('[data-testid="col-derived-error pct"]', 10000);
  const cellsOf = async (testid) => {
    const ths = await driver.findElements(By.css(".exp-table thead th"));
    const ids = await Promise.all(ths.map((th) => th.getAttribute("data-testid")));
    const at = ids.indexOf(testid);
    const row = await driver.findElement(By.css('[data-testid="exp-row"][data-kind="workspace"]'));
    return (await row.findElements(By.css("td")))[at].getText();
  };
  let accText, errText;
  await waitFor(async () => {
    [accText, errText] = [await cellsOf("col-metric-accuracy"), await cellsOf("col-derived-error pct")];
    return true;
  }, 10000, "the workspace row's accuracy and derived cells");
  if (Math.abs((1 - Number(accText)) * 100 - Number(errText)) > 1e-4) throw new Error(`error pct of ${accText} is ${errText}`);
  await shot("desktop-04c-derived");
  const demoDir = join(tmp, "data", "projects", "cairn-demo");
  const git = (...args) => {
    const r = spawnSync("git", ["-c", "user.name=Desktop E2E", "-c", "user.email=e2e@cairn.invalid", ...args], { cwd: demoDir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  };
  git("add", "-A");
  git("commit", "-qm", "Trained in a terminal");
  await waitFor(async () => (await driver.findElement(By.css('[data-testid="last-commit"]')).getText()).includes("Trained in a terminal"), 15000, "the header follows the commit");
  await driver.findElement(By.css('[data-testid="history"] option[value="5"]')).click();
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="exp-row"][data-kind="baseline"]'))).length === 2, 15000, "two commits listed");
  await driver.findElement(By.css('[data-testid="history"] option[value="head"]')).click();
  // The table reloads for HEAD alone; the toolbar is redrawn with it, so wait for it first.
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="exp-row"][data-kind="baseline"]'))).length === 1, 15000, "HEAD alone again");
  await waitFor(async () => {
    if ((await driver.findElements(By.css('[data-testid="derived-dialog"]'))).length === 0) {
      await driver.findElement(By.css('[data-testid="derived-open"]')).click().catch(() => undefined);
    }
    return (await driver.findElements(By.css('[data-testid="derived-remove"]'))).length > 0;
  }, 15000, "the Formula dialog with the derived column");
  await driver.findElement(By.css('[data-testid="derived-remove"]')).click();
  await driver.findElement(By.css('[data-testid="derived-dialog"] .modal-foot button')).click();

  step("A TensorBoard run written beside the project joins the table live, and is charted");
  const tbDir = join(demoDir, "runs", "desktop-run");
  mkdirSync(tbDir, { recursive: true });
  copyFileSync(join(repo, "crates/cairn-api/tests/fixtures/events.out.tfevents.pytorch"), join(tbDir, "events.out.tfevents.pytorch"));
  const tbRow = await waitFor(async () => {
    for (const row of await driver.findElements(By.css('[data-testid="exp-row"]'))) {
      const text = await row.getText();
      if (text.includes("runs/desktop-run") && text.includes("TensorBoard")) return row;
    }
    return null;
  }, 20000, "the TensorBoard row");
  // New rows are ticked for the charts as they appear; tick it if it is not.
  const tick = await tbRow.findElement(By.css('[data-testid="exp-select"]'));
  if (!(await tick.isSelected())) {
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' }); arguments[0].click();", tick);
  }
  await waitFor(async () => {
    for (const item of await driver.findElements(By.css('[data-testid="exp-charts"] .legend-item'))) {
      if ((await item.getText()).includes("runs/desktop-run")) return true;
    }
    return false;
  }, 15000, "the run in the charts' legend");
  await shot("desktop-04d-tensorboard");
  rmSync(join(demoDir, "runs"), { recursive: true, force: true });

  step("Data preview in WebKit: the tracked table's rows, read from the cache");
  await driver.findElement(By.css('[data-testid="tab-data"]')).click();
  await located('[data-testid="preview-data/flowers.csv"]', 15000);
  await driver.findElement(By.css('[data-testid="preview-data/flowers.csv"]')).click();
  await located('[data-testid="preview"][data-kind="table"]', 15000);
  await waitFor(async () => (await driver.findElements(By.css(".preview-table tbody tr"))).length === 200, 10000, "200 rows shown");
  await shot("desktop-05-data-preview");
  await driver.findElement(By.css('[data-testid="preview-dialog"] .modal-foot button')).click();

  step("A Parquet table previewed in WebKit: each column's type, missing values shown as such");
  // pyarrow's zstd file, tracked from a terminal: the app follows the new pointer.
  copyFileSync(join(repo, "crates/cairn-api/tests/fixtures/flowers.parquet"), join(demoDir, "data", "flowers.parquet"));
  const added = spawnSync(cli, ["add", "data/flowers.parquet"], { cwd: demoDir, encoding: "utf8" });
  if (added.status !== 0) throw new Error(`cairn add: ${added.stderr}`);
  await located('[data-testid="preview-data/flowers.parquet"]', 20000);
  await driver.findElement(By.css('[data-testid="preview-data/flowers.parquet"]')).click();
  await waitFor(async () => (await driver.findElements(By.css(".preview-table thead .col-type"))).length === 6, 15000, "six typed columns");
  await waitFor(async () => (await driver.findElements(By.css(".preview-table tbody td.null"))).length === 24, 10000, "24 missing values");
  await shot("desktop-05b-parquet-preview");
  await driver.findElement(By.css('[data-testid="preview-dialog"] .modal-foot button')).click();

  step("Remote storage set up from the Data tab in WebKit, then Push");
  const store = join(tmp, "desktop-store");
  await driver.findElement(By.css('[data-testid="remote-settings"]')).click();
  await located('[data-testid="remote-dialog"]', 10000);
  await driver.findElement(By.css('[data-testid="remote-url"]')).sendKeys(store);
  await driver.findElement(By.css('[data-testid="remote-save"]')).click();
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="remote-dialog"]'))).length === 0, 10000, "the dialog closes");
  await located('[data-testid="remote-name"]', 10000);
  const config = readFileSync(join(tmp, "data", "projects", "cairn-demo", ".dvc", "config"), "utf8");
  if (!config.includes(`['remote "storage"']\n    url = ${store}\n`)) throw new Error(`the remote is in .dvc/config:\n${config}`);
  await driver.findElement(By.css('[data-testid="push-data"]')).click();
  await waitFor(async () => (await driver.findElements(By.xpath("//*[contains(@class,'toast') and contains(., 'pushed to storage')]"))).length > 0, 30000, "a pushed toast");
  await shot("desktop-06-remote-pushed");

  step("Home: the desktop Add folder dialog offers the native folder picker");
  await driver.findElement(By.css('[data-testid="nav-home"]')).click();
  await located('[data-testid="project-card"]', 10000);
  await driver.findElement(By.css('[data-testid="add-folder"]')).click();
  const dialog = await located('[data-testid="add-folder-dialog"]', 10000);
  await waitFor(async () => (await dialog.getText()).includes("Browse"), 5000, "a Browse… button in the desktop app");
  await shot("desktop-03-add-folder");
  await dialog.findElement(By.xpath(".//button[normalize-space()='Cancel']")).click();
  await waitFor(async () => (await driver.findElements(By.css('[data-testid="add-folder-dialog"]'))).length === 0, 5000, "the dialog closes");

  step("New project in WebKit: a committed DVC repository, opened");
  const fresh = join(tmp, "fresh");
  mkdirSync(fresh);
  await driver.findElement(By.css('[data-testid="new-project"]')).click();
  const create = await located('[data-testid="new-project-dialog"]', 10000);
  await create.findElement(By.css('input[aria-label="Project name"]')).sendKeys("desk-model");
  const where = await create.findElement(By.css('input[aria-label="Folder to create it in"]'));
  await where.clear();
  await where.sendKeys(fresh);
  await driver.findElement(By.css('[data-testid="new-project-create"]')).click();
  // While Home gives way to the project there is no project name yet: look, don't find.
  const projectName = async () => {
    const found = await driver.findElements(By.css('[data-testid="project-name"]'));
    return found.length ? await found[0].getText().catch(() => "") : "";
  };
  await waitFor(async () => (await projectName()) === "desk-model", 15000, "the new project opens");
  const log = spawnSync("git", ["log", "--format=%s"], { cwd: join(fresh, "desk-model"), encoding: "utf8" }).stdout;
  if (log !== "Start the project\n") throw new Error(`the new project has one commit: ${log}`);
  await shot("desktop-07-new-project");
}

let failed = false;
try {
  await main();
  console.log(`desktop e2e: ${steps.length} steps passed`);
} catch (e) {
  failed = true;
  console.error(`desktop e2e FAILED at step "${steps[steps.length - 1] ?? "start"}":\n${e?.stack ?? e}`);
  if (driver) await shot("desktop-failure").catch(() => undefined);
} finally {
  await driver?.quit().catch(() => undefined);
  driverProc?.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
