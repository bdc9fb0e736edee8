//! `cairn ui`: the browser mode. Serves the built frontend (`ui/dist`) and the cairn-api
//! commands over HTTP so the app also runs in a browser, e.g. on a training box through an
//! SSH tunnel:
//!
//! - `POST /api/<command>` with the JSON arguments → the JSON result, or an `ApiError`
//!   (status 400/403/404/409/500 by its code);
//! - `GET /api/events` → server-sent events, one `ApiEvent` JSON per message.
//!
//! Security: binds 127.0.0.1 unless told otherwise; every request needs the random
//! per-launch token (`?token=` on the first page load, which sets an HttpOnly SameSite
//! cookie; `Authorization: Bearer` or the cookie afterwards); requests whose `Host` or
//! `Origin` is not this server are refused (DNS rebinding, cross-site requests).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cairn_api::{Api, ApiError, ErrorCode};
use futures_util::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; loopback by default.
    pub host: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// The built frontend; `None` serves a page explaining how to build it.
    pub dist: Option<PathBuf>,
    /// The access token; `None` generates a random one.
    pub token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            dist: None,
            token: None,
        }
    }
}

/// Finds `ui/dist`: `$CAIRN_UI_DIST`, else next to (or above) the executable, else under
/// the current directory.
pub fn find_dist() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CAIRN_UI_DIST") {
        return Some(PathBuf::from(d));
    }
    let mut starts = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    for s in starts {
        for dir in s.ancestors() {
            let cand = dir.join("ui").join("dist");
            if cand.join("index.html").is_file() {
                return Some(cand);
            }
        }
    }
    None
}

/// A 128-bit random token, hex.
pub fn random_token() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

struct AppState {
    api: Api,
    token: String,
    dist: Option<PathBuf>,
    /// `host:port` values accepted in `Host` (and in `Origin` after `http://`).
    hosts: Vec<String>,
}

/// A bound server, not yet serving.
pub struct Bound {
    listener: tokio::net::TcpListener,
    router: Router,
    /// The URL to open, token included.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
}

/// Binds the listener and builds the routes.
pub async fn bind(api: Api, cfg: ServerConfig) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind((cfg.host, cfg.port)).await?;
    let addr = listener.local_addr()?;
    let token = cfg.token.unwrap_or_else(random_token);
    let port = addr.port();
    let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if !cfg.host.is_loopback() && !cfg.host.is_unspecified() {
        hosts.push(format!("{}:{port}", cfg.host));
    }
    let shown_host = if cfg.host.is_unspecified() || cfg.host.is_loopback() {
        "127.0.0.1".to_string()
    } else {
        cfg.host.to_string()
    };
    let url = format!("http://{shown_host}:{port}/?token={token}");
    let state = Arc::new(AppState {
        api,
        token,
        dist: cfg.dist,
        hosts,
    });
    let router = Router::new()
        .route("/api/events", get(events))
        .route("/api/{command}", post(command))
        .fallback(get(static_file))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state);
    Ok(Bound {
        listener,
        router,
        url,
        addr,
    })
}

impl Bound {
    /// Serves until the process ends.
    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).await
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let err = ApiError::new(ErrorCode::InvalidArguments, message);
    (status, axum::Json(err)).into_response()
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "cairn_token")
        .map(|(_, v)| v.to_string())
}

fn query_token(uri: &axum::http::Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_string())
}

/// Constant-time comparison.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Host/Origin check, then the token; a valid `?token=` sets the cookie.
async fn guard(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !st.hosts.iter().any(|h| h == host) {
        return refuse(StatusCode::FORBIDDEN, "unexpected Host header");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let ok = origin
            .strip_prefix("http://")
            .is_some_and(|o| st.hosts.iter().any(|h| h == o));
        if !ok {
            return refuse(
                StatusCode::FORBIDDEN,
                "cross-origin requests are not allowed",
            );
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_string);
    let from_query = query_token(req.uri());
    let presented = bearer
        .or_else(|| from_query.clone())
        .or_else(|| cookie_token(headers));
    if !presented.is_some_and(|t| same(&t, &st.token)) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token: open the URL printed by `cairn ui` (it ends in ?token=…)",
        );
    }
    let mut resp = next.run(req).await;
    if from_query.is_some() {
        let cookie = format!(
            "cairn_token={}; HttpOnly; SameSite=Strict; Path=/",
            st.token
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

fn status_for(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::UnknownCommand | ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::NotTrusted => StatusCode::FORBIDDEN,
        ErrorCode::AlreadyRunning | ErrorCode::Locked => StatusCode::CONFLICT,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

async fn command(
    State(st): State<Arc<AppState>>,
    UrlPath(name): UrlPath<String>,
    body: axum::body::Bytes,
) -> Response {
    let args: serde_json::Value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    &format!("request body is not JSON: {e}"),
                );
            }
        }
    };
    let api = st.api.clone();
    let result = tokio::task::spawn_blocking(move || cairn_api::dispatch(&api, &name, args)).await;
    match result {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(e)) => (status_for(e.code), axum::Json(e)).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(ApiError::new(ErrorCode::Internal, e.to_string())),
        )
            .into_response(),
    }
}

async fn events(State(st): State<Arc<AppState>>) -> impl IntoResponse {
    let stream = BroadcastStream::new(st.api.subscribe()).filter_map(|e| async move {
        let e = e.ok()?;
        let json = serde_json::to_string(&e).ok()?;
        Some(Ok::<_, std::convert::Infallible>(
            Event::default().data(json),
        ))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The CSP of the served page: only our own scripts, styles (inline style attributes are
/// how React Flow positions nodes) and workers; no remote anything.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

async fn static_file(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let Some(dist) = &st.dist else {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<h1>Cairn</h1><p>The web UI is not built. Run <code>npm --prefix ui ci &amp;&amp; npm --prefix ui run build</code> (or set CAIRN_UI_DIST).</p>",
        )
            .into_response();
    };
    let rel = req.uri().path().trim_start_matches('/');
    let safe = !rel.split('/').any(|c| c == ".." || c.starts_with('.'));
    let mut file = dist.join(if rel.is_empty() || !safe {
        "index.html"
    } else {
        rel
    });
    if !file.is_file() {
        file = dist.join("index.html");
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let mut resp = Response::new(Body::from(bytes));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&file)),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            resp
        }
        Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Binds, prints nothing, calls `ready(url)`, then serves until the process ends.
pub fn run_blocking(api: Api, cfg: ServerConfig, ready: impl FnOnce(&str)) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let bound = bind(api, cfg).await?;
        ready(&bound.url);
        bound.serve().await
    })
}
