import { useState } from "react";
import { call, type RemoteView } from "../../ipc";
import { Button, Modal, SubmitForm } from "../../components/ui";
import { useSubmit } from "../../components/useSubmit";

/**
 * Sets up (or changes) the project's default remote: a folder, an S3 bucket or a folder on
 * another machine over SSH. Written
 * as `dvc remote add -d` / `dvc remote modify` write it; keys go to `.dvc/config.local`,
 * which git ignores, so they are never committed.
 */
export function RemoteDialog(props: { project: string; remote: RemoteView | null; onSaved: (r: RemoteView) => void; onClose: () => void }) {
  const [name, setName] = useState(props.remote?.name ?? "storage");
  const [url, setUrl] = useState(props.remote?.url ?? "");
  const [endpoint, setEndpoint] = useState(props.remote?.endpointUrl ?? "");
  const [region, setRegion] = useState(props.remote?.region ?? "");
  const [keyId, setKeyId] = useState("");
  const [secret, setSecret] = useState("");
  const { busy, error, submit } = useSubmit();
  const s3 = url.trim().startsWith("s3://");
  const ssh = url.trim().startsWith("ssh://");
  const azure = url.trim().startsWith("azure://");
  const gs = url.trim().startsWith("gs://");
  const ready = name.trim() !== "" && url.trim() !== "";

  const save = () =>
    submit(async () => {
      const saved = await call("set_remote", {
        project: props.project,
        name: name.trim(),
        url: url.trim(),
        ...(s3 ? { endpointUrl: endpoint, region, accessKeyId: keyId, secretAccessKey: secret } : {}),
      });
      props.onSaved(saved);
      props.onClose();
    });

  return (
    <Modal
      title={props.remote ? "Remote storage" : "Set up remote storage"}
      icon="database"
      testId="remote-dialog"
      onClose={props.onClose}
      footer={
        <>
          <span className="muted small grow">
            Written to <code>.dvc/config</code>, as <code>dvc remote add -d</code> writes it
          </span>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button kind="primary" icon="save" onClick={() => void save()} disabled={busy || !ready} testId="remote-save">
            Save
          </Button>
        </>
      }
    >
      <p className="muted">Where Push sends the data and the pipeline&apos;s outputs, and Pull gets them from: a shared folder, an S3 bucket, or a folder on a server over SSH.</p>
      <SubmitForm className="stage-form" onSubmit={() => ready && void save()}>
        <label>
          <span>Name</span>
          <input value={name} aria-label="Remote name" onChange={(e) => setName(e.target.value)} data-testid="remote-name-input" />
        </label>
        <label>
          <span>Location</span>
          <input
            className="mono"
            value={url}
            placeholder="/mnt/share/store, s3://bucket/path or ssh://host/path"
            aria-label="Remote location"
            onChange={(e) => setUrl(e.target.value)}
            data-testid="remote-url"
          />
          <span className="muted small field-help">
            A folder (a local disk or a mounted share), an S3 URL, a gs://bucket/path or azure://container/path URL, an ssh:// URL (user@host:port/path), or an http(s) URL.
          </span>
        </label>
        {azure && (
          <p className="muted small" data-testid="remote-azure-help">
            The storage account&apos;s connection string (it holds the key) stays on this machine: run{" "}
            <code>cairn remote modify --local {name.trim() || "NAME"} connection_string &apos;…&apos;</code>, or set{" "}
            <code>AZURE_STORAGE_CONNECTION_STRING</code>.
          </p>
        )}
        {gs && (
          <p className="muted small" data-testid="remote-gs-help">
            Cairn signs in with your Google credentials: <code>gcloud auth application-default login</code>, or a service
            account key file in <code>GOOGLE_APPLICATION_CREDENTIALS</code> or the remote&apos;s <code>credentialpath</code>.
          </p>
        )}
        {ssh && (
          <p className="muted small" data-testid="remote-ssh-help">
            Cairn signs in with your own <code>ssh</code>: your keys, <code>ssh-agent</code> and <code>~/.ssh/config</code>. Check that{" "}
            <code>ssh host</code> works in a terminal without a password prompt.
          </p>
        )}
        {s3 && (
          <>
            <label>
              <span>Endpoint URL</span>
              <input
                className="mono"
                value={endpoint}
                placeholder="https://minio.example.com (blank for AWS)"
                aria-label="Endpoint URL"
                onChange={(e) => setEndpoint(e.target.value)}
                data-testid="remote-endpoint"
              />
              <span className="muted small field-help">For S3-compatible storage (MinIO, Ceph, R2); leave blank for AWS.</span>
            </label>
            <label>
              <span>Region</span>
              <input value={region} placeholder="us-east-1" aria-label="Region" onChange={(e) => setRegion(e.target.value)} />
            </label>
            <label>
              <span>Access key ID</span>
              <input
                className="mono"
                value={keyId}
                placeholder={props.remote?.hasKeys ? "(saved — blank keeps it)" : "blank: use your AWS profile or environment"}
                aria-label="Access key ID"
                autoComplete="off"
                onChange={(e) => setKeyId(e.target.value)}
                data-testid="remote-key-id"
              />
            </label>
            <label>
              <span>Secret access key</span>
              <input
                className="mono"
                type="password"
                value={secret}
                placeholder={props.remote?.hasKeys ? "(saved — blank keeps it)" : ""}
                aria-label="Secret access key"
                autoComplete="off"
                onChange={(e) => setSecret(e.target.value)}
                data-testid="remote-secret"
              />
              <span className="muted small field-help">
                Keys are kept in <code>.dvc/config.local</code>, which git ignores: they stay on this machine.
              </span>
            </label>
          </>
        )}
      </SubmitForm>
      {error && (
        <p className="fail-msg small" data-testid="remote-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
