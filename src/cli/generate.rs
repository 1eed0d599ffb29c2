//! Shell completions and the man page, generated from the one clap
//! definition in [`super`] by `kaq --generate KIND` (hidden). The files
//! in `completions/` and `man/` are its output, committed; a test fails when
//! they are stale.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, AFTER_LONG_HELP};

/// What `--generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generate {
    /// The man page, kaq.1 (roff).
    Man,
    CompleteBash,
    CompleteZsh,
    CompleteFish,
    CompletePowershell,
    CompleteElvish,
}

impl Generate {
    /// Every kind, with the file it is committed as.
    pub const ALL: [(Generate, &'static str); 6] = [
        (Generate::Man, "man/kaq.1"),
        (Generate::CompleteBash, "completions/kaq.bash"),
        (Generate::CompleteZsh, "completions/_kaq"),
        (Generate::CompleteFish, "completions/kaq.fish"),
        (Generate::CompletePowershell, "completions/_kaq.ps1"),
        (Generate::CompleteElvish, "completions/kaq.elv"),
    ];
}

/// Writes the generated file to `out`.
pub fn generate(kind: Generate, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    let shell = match kind {
        Generate::Man => return man_page(cmd, out),
        Generate::CompleteBash => Shell::Bash,
        Generate::CompleteZsh => Shell::Zsh,
        Generate::CompleteFish => Shell::Fish,
        Generate::CompletePowershell => Shell::PowerShell,
        Generate::CompleteElvish => Shell::Elvish,
    };
    clap_complete::generate(shell, &mut cmd, "kaq", out);
    Ok(())
}

/// The man page: clap_mangen's name, synopsis, description and options, then
/// the sections of the long help (filter language, examples, exit status,
/// files, environment) as preformatted text, so their layout survives.
fn man_page(cmd: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let cmd = cmd.after_long_help(None::<&str>).after_help(None::<&str>);
    let man = clap_mangen::Man::new(cmd);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    for section in AFTER_LONG_HELP
        .split("\n\n")
        .filter(|s| !s.trim().is_empty())
    {
        let mut lines = section.lines();
        let first = lines.next().unwrap_or_default();
        if first.chars().all(|c| c.is_ascii_uppercase() || c == ' ') {
            writeln!(out, ".SH {first}")?;
            writeln!(out, ".nf")?;
        } else {
            writeln!(out, ".sp")?;
            writeln!(out, ".nf")?;
            write_preformatted(out, first)?;
        }
        for line in lines {
            write_preformatted(out, line)?;
        }
        writeln!(out, ".fi")?;
    }
    man.render_version_section(out)
}

/// One line of no-fill roff: backslashes escaped, a leading `.` or `'`
/// guarded so roff does not read it as a request.
fn write_preformatted(out: &mut dyn Write, line: &str) -> io::Result<()> {
    let line = line.replace('\\', "\\e");
    if line.starts_with(['.', '\'']) {
        writeln!(out, "\\&{line}")
    } else {
        writeln!(out, "{line}")
    }
}
