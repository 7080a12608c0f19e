namespace WcLayer.Cli;

/// <summary>Runs a command's work and turns a failure into hcsshim's contract: one line on standard error, exit code 1 (2 for a usage error).</summary>
internal static class CommandRunner
{
    public static Task<int> RunAsync(CliConsole console, string commandName, bool verbose, Func<Task> work) =>
        RunAsync(console, commandName, verbose, json: false, work);

    /// <summary>Runs <paramref name="work"/>; with <paramref name="json"/>, a failure also ends standard output with <c>{"error": "..."}</c>, as <c>ls --json</c> does.</summary>
    /// <param name="console">The standard streams.</param>
    /// <param name="commandName">The command, for the message.</param>
    /// <param name="verbose">Whether to print the whole exception.</param>
    /// <param name="json">Whether the command prints JSON.</param>
    /// <param name="work">The command's work.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliConsole console, string commandName, bool verbose, bool json, Func<Task> work)
    {
        try
        {
            await work();
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ReportAsync(console, commandName, verbose, e);
            if (json)
            {
                await TryWriteJsonErrorAsync(console, CommandErrors.Describe(e));
            }

            return e is UsageException ? Program.UsageExitCode : 1;
        }
    }

    private static async Task TryWriteJsonErrorAsync(CliConsole console, string message)
    {
        try
        {
            await JsonOutput.WriteObjectAsync(console.Output, o => o.WriteString("error", message));
        }
        catch (IOException)
        {
            // Standard output is gone too; the exit code still tells.
        }
    }

    public static Task ReportAsync(CliConsole console, string commandName, bool verbose, Exception exception) =>
        WriteErrorAsync(console, $"{Program.ToolName} {commandName}", CommandErrors.Describe(exception), verbose ? exception : null);

    /// <summary>Writes <c>prefix: message</c> (and the exception when verbose) to standard error; never throws.</summary>
    /// <param name="console">The standard streams.</param>
    /// <param name="prefix">The command as typed (<c>wclayer import</c>).</param>
    /// <param name="message">The one-line message.</param>
    /// <param name="details">The exception to print in full, for <c>--verbose</c>.</param>
    /// <returns>A task that completes when the message is written or could not be.</returns>
    public static async Task WriteErrorAsync(CliConsole console, string prefix, string message, Exception? details = null)
    {
        try
        {
            await console.Error.WriteLineAsync($"{prefix}: {message}");
            if (details is not null)
            {
                await console.Error.WriteLineAsync(details.ToString());
            }

            await console.Error.FlushAsync();
        }
        catch (IOException)
        {
            // Standard error is full or closed: the exit code is all that can still tell, and a crash would hide it.
        }
    }
}
