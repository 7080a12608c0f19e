using WcLayer.Cli;

namespace WcLayer.Tests.Cli;

/// <summary>Runs <c>wclayer</c> in-process with captured standard streams.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(string[] args, byte[]? stdin = null)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(() => new MemoryStream(stdin ?? []), output, error);
        int exitCode = await Program.RunAsync(args, console);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
