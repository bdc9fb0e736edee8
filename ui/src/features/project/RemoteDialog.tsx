import { useState } from "react";
import { call, type RemoteView } from "../../ipc";
import { Button, Modal, SubmitForm } from "../../components/ui";
import { useSubmit } from "../../components/useSubmit";

/**
 * Sets up (or changes) the project's default remote: a folder, a cloud bucket, a folder on
 * another machine over SSH or a WebDAV share (Nextcloud, ownCloud). Written
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
  const [connection, setConnection] = useState("");
  const [credentialPath, setCredentialPath] = useState("");
  const [port, setPort] = useState(props.remote?.port ?? "");
  const [keyfile, setKeyfile] = useState("");
  const [user, setUser] = useState(props.remote?.user ?? "");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useSubmit();
  const s3 = url.trim().startsWith("s3://");
  const ssh = url.trim().startsWith("ssh://");
  const azure = url.trim().startsWith("azure://");
  const gs = url.trim().startsWith("gs://");
  const webdav = /^webdavs?:\/\//.test(url.trim());
  const ready = name.trim() !== "" && url.trim() !== "";

  const save = () =>
    submit(async () => {
      const saved = await call("set_remote", {
        project: props.project,
        name: name.trim(),
        url: url.trim(),
        ...(s3 ? { endpointUrl: endpoint, region, accessKeyId: keyId, secretAccessKey: secret } : {}),
        ...(azure ? { connectionString: connection } : {}),
        ...(gs ? { credentialPath } : {}),
        ...(ssh ? { port, keyfile } : {}),
        ...(webdav ? { user, password } : {}),
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
      <p className="muted">Where Push sends the data and the pipeline&apos;s outputs, and Pull gets them from: a shared folder, a cloud bucket (S3, Google Cloud Storage, Azure), a folder on a server over SSH, or a WebDAV share (Nextcloud, ownCloud).</p>
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
            A folder (a local disk or a mounted share), an S3 URL, a gs://bucket/path or azure://container/path URL, an ssh:// URL (user@host:port/path), an http(s) URL, or a webdavs:// URL (a Nextcloud folder:
            webdavs://cloud.example.org/remote.php/dav/files/USER/folder).
          </span>
        </label>
        {azure && (
          <label>
            <span>Connection string</span>
            <input
              className="mono"
              type="password"
              value={connection}
              placeholder={props.remote?.hasKeys ? "(saved — blank keeps it)" : "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…"}
              aria-label="Connection string"
              autoComplete="off"
              onChange={(e) => setConnection(e.target.value)}
              data-testid="remote-connection-string"
            />
            <span className="muted small field-help">
              From the storage account&apos;s <em>Access keys</em>. Kept in <code>.dvc/config.local</code>, which git ignores; blank
              uses <code>AZURE_STORAGE_CONNECTION_STRING</code>.
            </span>
          </label>
        )}
        {gs && (
          <label>
            <span>Key file</span>
            <input
              className="mono"
              value={credentialPath}
              placeholder={props.remote?.hasKeys ? "(saved — blank keeps it)" : "blank: your gcloud login"}
              aria-label="Service account key file"
              onChange={(e) => setCredentialPath(e.target.value)}
              data-testid="remote-credential-path"
            />
            <span className="muted small field-help">
              A service account&apos;s JSON key, or blank for <code>gcloud auth application-default login</code> (or{" "}
              <code>GOOGLE_APPLICATION_CREDENTIALS</code>).
            </span>
          </label>
        )}
        {ssh && (
          <>
            <label>
              <span>Port</span>
              <input value={port} placeholder="22" aria-label="SSH port" onChange={(e) => setPort(e.target.value)} data-testid="remote-port" />
            </label>
            <label>
              <span>Key file</span>
              <input
                className="mono"
                value={keyfile}
                placeholder={props.remote?.hasKeys ? "(saved — blank keeps it)" : "blank: your ssh-agent and ~/.ssh/config"}
                aria-label="SSH key file"
                onChange={(e) => setKeyfile(e.target.value)}
                data-testid="remote-keyfile"
              />
              <span className="muted small field-help" data-testid="remote-ssh-help">
                Cairn signs in with your own <code>ssh</code>: your keys, <code>ssh-agent</code> and <code>~/.ssh/config</code>. Check
                that <code>ssh host</code> works in a terminal without a password prompt.
              </span>
            </label>
          </>
        )}
        {webdav && (
          <>
            <label>
              <span>User</span>
              <input value={user} aria-label="WebDAV user" autoComplete="off" onChange={(e) => setUser(e.target.value)} data-testid="remote-user" />
            </label>
            <label>
              <span>Password</span>
              <input
                className="mono"
                type="password"
                value={password}
                placeholder={props.remote?.hasKeys ? "(saved — blank keeps it)" : "an app password is best"}
                aria-label="WebDAV password"
                autoComplete="off"
                onChange={(e) => setPassword(e.target.value)}
                data-testid="remote-password"
              />
              <span className="muted small field-help">
                Kept in <code>.dvc/config.local</code>, which git ignores. Nextcloud and ownCloud make app passwords under{" "}
                <em>Settings → Security</em>.
              </span>
            </label>
          </>
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
