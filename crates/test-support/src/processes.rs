//! The real `server` binary as an operator runs it, configured by environment: one process, or
//! several behind Debian's HAProxy, for the tests that kill, stop or starve it and for the
//! scale-out bench.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc::Sender,
};

/// Where Debian's `haproxy` package puts the load balancer (`cargo xtask test` installs it).
pub const HAPROXY: &str = "/usr/sbin/haproxy";

/// A child process, killed when dropped if it is still running: a leftover server would keep
/// the suite's output open after the tests end.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts the server `binary` with `envs` (and `data_dir`, port 0), and waits for the line that
/// says where it listens: the process and that address. Its log goes on being read on a thread
/// of its own (into `log`, when given), so that a busy server never blocks on a full pipe.
pub fn start_server(
    binary: &Path,
    data_dir: &Path,
    envs: &[(&str, &str)],
    log: Option<Sender<String>>,
) -> (Running, String) {
    let mut child = Command::new(binary)
        .env("HEALTH_BIND_ADDR", "127.0.0.1:0")
        .env("HEALTH_DATA_DIR", data_dir)
        .env("HEALTH_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("its stdout")).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let (_, rest) = line.split_once("address=")?;
            Some(rest.split_whitespace().next()?.to_owned())
        })
        .expect("the server logs the address it listens on");
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Some(log) = &log {
                let _ = log.send(line);
            }
        }
    });
    (Running(child), address)
}

/// HAProxy on `port` in front of `servers` (`host:port` each), as the README's operating notes
/// describe it: round robin with no sticky sessions, each server checked by its `/readyz`, a
/// request whose connection is refused sent to another, the client's address passed on in
/// `X-Forwarded-For`. Its configuration is written into `dir`.
pub fn start_balancer(port: u16, servers: &[String], dir: &Path) -> Running {
    assert!(
        Path::new(HAPROXY).exists(),
        "HAProxy is not installed: `cargo xtask test` installs Debian's haproxy, or run \
         `apt-get install haproxy`"
    );
    let servers: Vec<String> = servers
        .iter()
        .enumerate()
        .map(|(n, address)| format!("  server health{n} {address} check inter 300ms fall 2 rise 1"))
        .collect();
    let config = dir.join("haproxy.cfg");
    std::fs::write(
        &config,
        format!(
            "global\n  maxconn 4096\ndefaults\n  mode http\n  option forwardfor\n  \
             option redispatch\n  retries 2\n  timeout connect 2s\n  timeout client 60s\n  \
             timeout server 60s\n  timeout check 2s\nfrontend web\n  bind 127.0.0.1:{port}\n  \
             default_backend health\nbackend health\n  balance roundrobin\n  \
             option httpchk GET /readyz\n{}\n",
            servers.join("\n")
        ),
    )
    .expect("HAProxy's configuration is written");
    let balancer = Command::new(HAPROXY)
        .arg("-db")
        .arg("-f")
        .arg(&config)
        // It reports servers going down and up on stderr: the callers' assertions say what
        // matters.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("HAProxy starts");
    Running(balancer)
}

/// A loopback port free just now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
