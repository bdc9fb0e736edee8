//! The HTTP guard: token, Host and Origin checks, and a command round trip.

use std::io::{Read, Write};
use std::net::TcpStream;

use cairn_api::{Api, ApiConfig};
use cairn_server::{ServerConfig, bind};

/// Sends a raw HTTP/1.1 request and returns the status code and body.
fn send(addr: std::net::SocketAddr, raw: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

fn post(host: &str, token: Option<&str>, origin: Option<&str>, cmd: &str) -> String {
    let mut r = format!(
        "POST /api/{cmd} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
    );
    if let Some(t) = token {
        r.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(o) = origin {
        r.push_str(&format!("Origin: {o}\r\n"));
    }
    r.push_str("\r\n{}");
    r
}

#[test]
fn requests_need_the_token_and_our_own_host_and_origin() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::new(ApiConfig {
        data_dir: Some(dir.path().into()),
        ..Default::default()
    })
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bound = rt
        .block_on(bind(
            api,
            ServerConfig {
                token: Some("s3cret".into()),
                ..Default::default()
            },
        ))
        .unwrap();
    let addr = bound.addr;
    assert!(bound.url.ends_with("/?token=s3cret"), "{}", bound.url);
    rt.spawn(bound.serve());
    let host = format!("127.0.0.1:{}", addr.port());

    let (code, body) = send(addr, &post(&host, Some("s3cret"), None, "list_projects"));
    assert_eq!((code, body.as_str()), (200, "[]"));
    let (code, _) = send(addr, &post(&host, None, None, "list_projects"));
    assert_eq!(code, 401, "no token");
    let (code, _) = send(addr, &post(&host, Some("wrong!"), None, "list_projects"));
    assert_eq!(code, 401, "wrong token");
    let (code, _) = send(
        addr,
        &post("evil.example:80", Some("s3cret"), None, "list_projects"),
    );
    assert_eq!(code, 403, "DNS-rebinding Host");
    let (code, _) = send(
        addr,
        &post(
            &host,
            Some("s3cret"),
            Some("http://evil.example"),
            "list_projects",
        ),
    );
    assert_eq!(code, 403, "foreign Origin");
    let (code, _) = send(
        addr,
        &post(
            &host,
            Some("s3cret"),
            Some(&format!("http://{host}")),
            "list_projects",
        ),
    );
    assert_eq!(code, 200, "own Origin");
    let (code, body) = send(addr, &post(&host, Some("s3cret"), None, "nope"));
    assert_eq!(code, 404);
    assert!(body.contains("\"code\":\"unknown_command\""), "{body}");
    let (code, _) = send(
        addr,
        &format!("GET /?token=s3cret HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(code, 200);
}

#[test]
fn events_stream_as_server_sent_events_and_static_paths_stay_inside_dist() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<p>app</p>").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
    let api = Api::new(ApiConfig {
        data_dir: Some(dir.path().join("data")),
        ..Default::default()
    })
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bound = rt
        .block_on(bind(
            api.clone(),
            ServerConfig {
                token: Some("t0k".into()),
                dist: Some(dist),
                ..Default::default()
            },
        ))
        .unwrap();
    let addr = bound.addr;
    rt.spawn(bound.serve());
    let host = format!("127.0.0.1:{}", addr.port());

    let (code, body) = send(
        addr,
        &format!(
            "GET /../secret.txt HTTP/1.1\r\nHost: {host}\r\nCookie: cairn_token=t0k\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(code, 200);
    assert_eq!(body, "<p>app</p>", "`..` never leaves the dist folder");

    // Subscribe over SSE, then cause an event through the API.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(format!("GET /api/events?token=t0k HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    cairn_git::Git::init(&repo).unwrap();
    cairn_api::dispatch(&api, "add_project", serde_json::json!({"path": repo})).unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 4096];
    while !got.contains("projects_changed") {
        let n = s.read(&mut buf).expect("an event arrives");
        assert!(n > 0, "stream closed early: {got}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(got.contains("text/event-stream"), "{got}");
    assert!(
        got.contains("data: {\"type\":\"projects_changed\"}"),
        "{got}"
    );
}
