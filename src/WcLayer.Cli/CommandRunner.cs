namespace WcLayer.Cli;

/// <summary>Runs a command's work and turns a failure into hcsshim's contract: one line on standard error, exit code 1.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(CliConsole console, string commandName, bool verbose, Func<Task> work)
    {
        try
        {
            await work();
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ReportAsync(console, commandName, verbose, e);
            return e is UsageException ? Program.UsageExitCode : 1;
        }
    }

    public static async Task ReportAsync(CliConsole console, string commandName, bool verbose, Exception exception)
    {
        string message = CommandErrors.Describe(exception);
        await console.Error.WriteLineAsync($"{Program.ToolName} {commandName}: {message}");
        if (verbose)
        {
            await console.Error.WriteLineAsync(exception.ToString());
        }
    }
}
