using System.CommandLine;
using System.CommandLine.Help;
using System.Text;

namespace WcLayer.Cli;

/// <summary>The <c>wclayer</c> tool: builds the root command and runs it.</summary>
public static class Program
{
    /// <summary>The command name users type.</summary>
    public const string ToolName = "wclayer";

    /// <summary>Runs the tool against the process's standard streams.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> Main(string[] args)
    {
        // Console.Out flushes on every write; a listing of a big layer would spend its time in write syscalls.
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
        var console = new CliConsole(Console.OpenStandardInput, output, Console.Error, !Console.IsErrorRedirected, StandardStreams.OpenOutput, !Console.IsOutputRedirected);
        int exitCode = await RunAsync(args, console);
        try
        {
            await output.DisposeAsync();
        }
        catch (IOException e)
        {
            // A full disk behind "> listing.txt": the listing is incomplete, which the exit code must say.
            await CommandRunner.WriteErrorAsync(console, ToolName, $"cannot write standard output: {CommandErrors.Describe(e)}");
            exitCode = exitCode == 0 ? 1 : exitCode;
        }

        return exitCode;
    }

    /// <summary>Runs the tool in-process with the given standard streams.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="console">The standard streams.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        Command root = CreateRootCommand(console);
        ParseResult parseResult = root.Parse(HcsshimSpellings.Normalize(args), ParserConfiguration);

        // Help and version answer even a command line with mistakes; anything else with a mistake does nothing.
        bool answersAnyway = parseResult.Action is HelpAction || parseResult.Action == root.Options.OfType<VersionOption>().Single().Action;
        if (!answersAnyway && UsageErrors.Describe(parseResult) is { } usageError)
        {
            return ReportUsageErrorAsync(console, parseResult.CommandResult.Command, usageError);
        }

        var configuration = new InvocationConfiguration { Output = console.Output, Error = console.Error };
        return parseResult.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>The exit code of a command line that is not understood (as opposed to 1, a command that failed).</summary>
    public const int UsageExitCode = 2;

    // "-lz" is never "-l z": hcsshim's users type "-layer", which bundling would read as "-l ayer". And "@file" is a
    // path, not a response file.
    private static readonly ParserConfiguration ParserConfiguration = new()
    {
        EnablePosixBundling = false,
        ResponseFileTokenReplacer = null,
    };

    private static async Task<int> ReportUsageErrorAsync(CliConsole console, Command command, string message)
    {
        await CommandRunner.WriteErrorAsync(console, UsageErrors.FullName(command), message);
        return UsageExitCode;
    }

    /// <summary>Builds the <c>wclayer</c> command tree.</summary>
    /// <param name="console">The standard streams the commands use.</param>
    /// <returns>The root command.</returns>
    public static Command CreateRootCommand(CliConsole console)
    {
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Show the full exception (with stack trace) when a command fails.",
            Recursive = true,
        };
        // Not RootCommand: that one is named after the executable, which is "WcLayer.Cli" unless installed as a tool.
        var root = new Command(ToolName, "Windows container layer utility (a port of hcsshim's wclayer): import and export layers from and to OCI layer tars, create writable layers, mount and unmount them, and inspect layers and their changes.")
        {
            new HelpOption(),
            new VersionOption(),
            verbose,
            // hcsshim's commands, then ours.
            CreateCommand.Create(console, verbose),
            ExportCommand.Create(console, verbose),
            ImportCommand.Create(console, verbose),
            MakeBaseLayerCommand.Create(console, verbose),
            MountCommand.Create(console, verbose),
            RemoveCommand.Create(console, verbose),
            UnmountCommand.Create(console, verbose),
            LsCommand.Create(console, verbose),
            DiffCommand.Create(console, verbose),
            NameToGuidCommand.Create(console, verbose),
            InfoCommand.Create(console, verbose),
            ImageCommand.Create(console, verbose),
        };
        return root;
    }
}
