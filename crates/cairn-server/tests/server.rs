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
