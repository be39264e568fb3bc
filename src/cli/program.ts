/**
 * The `routined` command line: operate a routined installation from the shell. `routined --help` lists the
 * commands, `routined <command> --help` their options. Commands that talk to a server take `--url`
 * and `--token` (or ROUTINED_URL, ROUTINED_TOKEN); every command prints a table, or JSON with
 * `--json`. Errors say what to do next and exit non-zero.
 */
import { Command, CommanderError, Option } from "commander";
import { historyCommands } from "./commands/history";
import { localCommands } from "./commands/local";
import { resourceCommands } from "./commands/resources";
import { CliError, printer } from "./output";

export function buildProgram(): Command {
  const program = new Command("routined")
    .description("routined: recurring work fired by cron, webhooks and API calls")
    .version("0.1.0")
    .addOption(new Option("--url <url>", "routined server to talk to").env("ROUTINED_URL").default("http://127.0.0.1:3100"))
    .addOption(new Option("--token <token>", "board token or agent key (not needed in local_trusted mode)").env("ROUTINED_TOKEN"))
    .option("--json", "print JSON instead of tables")
    .showHelpAfterError("(run with --help for usage)");
  const opts = () => program.opts<{ url: string; token?: string; json?: boolean }>();
  const print = () => printer(Boolean(opts().json));
  localCommands(program, print);
  const context = { conn: () => ({ url: opts().url, token: opts().token ?? process.env.ROUTINED_BOARD_TOKEN }), print };
  resourceCommands(program, context);
  historyCommands(program, context);
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not errors
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help" ? 0 : err.exitCode || 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`routined: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`routined: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
