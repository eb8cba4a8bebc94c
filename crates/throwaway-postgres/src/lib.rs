//! A throwaway PostgreSQL server: a fresh cluster in a temporary directory, listening on loopback
//! only, gone when the value is dropped. `cargo xtask test` starts one for the suite's PostgreSQL
//! run and `cargo xtask bench` one with the product's durability; tests that stop or restart
//! their database (the scale-out and fault tests) start their own.
//!
//! Debian's server binaries, run as the `postgres` user when the caller is root (PostgreSQL
//! refuses to run as root).

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// How a throwaway server treats its commits.
#[derive(Clone, Copy, Debug)]
pub enum Durability {
    /// Nothing waits for the disk: tests, where nothing outlives the run.
    Off,
    /// PostgreSQL's own defaults, as the product runs (`fsync`, `synchronous_commit` and
    /// `full_page_writes` on): the bench, so that its figures are the ones a hospital would see.
    Product,
}

#[derive(Debug)]
pub struct ThrowawayPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    options: String,
    as_postgres_user: bool,
}

impl ThrowawayPostgres {
    /// initdb + pg_ctl start: about two seconds.
    pub fn start(durability: Durability) -> Result<Self, String> {
        let bin = server_bin_dir().ok_or("PostgreSQL server binaries are not installed")?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for PostgreSQL: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!("health-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let as_postgres_user = run_quietly(Command::new("id").arg("-u"))
            .is_ok_and(|uid| String::from_utf8_lossy(&uid.stdout).trim() == "0");
        if as_postgres_user {
            run_quietly(Command::new("chown").arg("postgres").arg(&dir))?;
        }
        let durability = match durability {
            Durability::Off => "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            Durability::Product => "",
        };
        let server = Self {
            options: format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 {durability}",
                dir.display()
            ),
            bin,
            dir,
            port,
            as_postgres_user,
        };
        let data = server.data_dir();
        run_quietly(server.pg("initdb").args([
            "-D",
            &data.to_string_lossy(),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]))?;
        server.start_again()?;
        Ok(server)
    }

    /// The URL of the server's default database, for `TEST_DATABASE_URL`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        let port = self.port.to_string();
        run_quietly(self.pg("createdb").args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            name,
        ]))?;
        Ok(format!("postgres://postgres@127.0.0.1:{port}/{name}"))
    }

    /// Stops the server at once, as a crash would (`immediate`: no checkpoint, connections cut).
    pub fn stop(&self) -> Result<(), String> {
        run_quietly(self.pg("pg_ctl").args([
            "-D",
            &self.data_dir().to_string_lossy(),
            "-m",
            "immediate",
            "stop",
        ]))
        .map(drop)
    }

    /// Starts the stopped server again on the same port, and waits until it accepts connections.
    pub fn start_again(&self) -> Result<(), String> {
        let log = self.dir.join("server.log");
        run_quietly(self.pg("pg_ctl").args([
            "-D",
            &self.data_dir().to_string_lossy(),
            "-o",
            &self.options,
            "-l",
            &log.to_string_lossy(),
            "-w",
            "start",
        ]))
        .map(drop)
        .map_err(|e| format!("{e}; see {}", log.display()))
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `command` with its output captured; a failure carries what it wrote to stderr.
fn run_quietly(command: &mut Command) -> Result<Output, String> {
    let line = format!("{command:?}");
    let output = command
        .output()
        .map_err(|e| format!("could not start {line}: {e}"))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{line} exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The newest installed `/usr/lib/postgresql/<version>/bin` holding `initdb`.
pub fn server_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            Path::new(&bin.join("initdb"))
                .exists()
                .then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
