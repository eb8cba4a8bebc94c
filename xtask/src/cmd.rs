//! Running child processes loudly: the command line is printed, failure is an error.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::Result;

/// The workspace root (the parent of `xtask/`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub struct Cmd {
    command: Command,
    line: String,
}

impl Cmd {
    pub fn new(program: &str, args: &[&str]) -> Self {
        let mut command = Command::new(program);
        command.args(args).current_dir(project_root());
        Self {
            command,
            line: format!("{program} {}", args.join(" ")),
        }
    }

    pub fn dir(mut self, dir: PathBuf) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn envs(mut self, vars: Vec<(&'static str, String)>) -> Self {
        self.command.envs(vars);
        self
    }

    /// Prints `line` instead of the full command line (e.g. for an inline script).
    pub fn shown_as(mut self, line: &str) -> Self {
        self.line = line.to_owned();
        self
    }

    /// Sets `key` only where the caller's environment has not.
    pub fn env_default(self, key: &str, value: &str) -> Self {
        if std::env::var_os(key).is_some() {
            self
        } else {
            self.env(key, value)
        }
    }

    /// Runs to completion with inherited output; a non-zero exit is an error.
    pub fn run(mut self) -> Result {
        println!("$ {}", self.line);
        let status = self.command.status();
        self.finish(status)
    }

    /// Runs to completion with its command line, stdout and stderr appended to `log`, for a
    /// command that runs beside another; a non-zero exit is an error.
    pub fn run_logged(mut self, log: &Path) -> Result {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        writeln!(file, "$ {}", self.line).map_err(|e| e.to_string())?;
        let stderr = file.try_clone().map_err(|e| e.to_string())?;
        let status = self.command.stdout(file).stderr(stderr).status();
        self.finish(status)
    }

    /// Runs with inherited output, or into `log` if there is one (see [`Cmd::run_logged`]).
    pub fn run_or_log(self, log: Option<&Path>) -> Result {
        match log {
            Some(log) => self.run_logged(log),
            None => self.run(),
        }
    }

    fn finish(&self, status: std::io::Result<std::process::ExitStatus>) -> Result {
        let status = status.map_err(|e| format!("could not start `{}`: {e}", self.line))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` exited with {status}", self.line))
        }
    }

    /// Runs quietly and returns stdout, or `None` if the program is missing or fails.
    pub fn read(mut self) -> Option<String> {
        let output = self.command.output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}
