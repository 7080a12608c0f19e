using System.Diagnostics;

namespace WcLayer.Tests.Cli;

/// <summary>
/// Runs <c>wclayer</c> as a separate process through <c>sh</c> (for pipes, redirections and kills): the JIT build next
/// to the tests, or the native binary that <c>WCLAYER_EXE</c> names (CI sets it after building native AOT).
/// </summary>
public static class CliProcess
{
    /// <summary>The environment variable that names a <c>wclayer</c> executable to test instead of the JIT build.</summary>
    public const string ExecutableVariable = "WCLAYER_EXE";

    /// <summary>The command that starts the tool, quoted for <c>sh</c>.</summary>
    public static string Command =>
        Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } exe
            ? Quote(exe)
            : $"{Quote(DotnetHost)} {Quote(Path.Combine(AppContext.BaseDirectory, "WcLayer.Cli.dll"))}";

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Quotes <paramref name="text"/> for <c>sh</c>.</summary>
    /// <param name="text">A word.</param>
    /// <returns>The word in single quotes.</returns>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs a shell script in which the function <c>wclayer</c> runs the tool (<c>wclayer_exec</c> replaces the shell with it, for a background job whose <c>$!</c> is the tool).</summary>
    /// <param name="script">The script.</param>
    /// <param name="workingDirectory">Its current directory.</param>
    /// <returns>The exit code of the script and what it wrote.</returns>
    public static async Task<CliResult> RunScriptAsync(string script, string workingDirectory)
    {
        using Process process = Start(script, workingDirectory);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Starts a shell script as <see cref="RunScriptAsync"/> does, with its standard streams redirected.</summary>
    /// <param name="script">The script.</param>
    /// <param name="workingDirectory">Its current directory.</param>
    /// <returns>The running process.</returns>
    public static Process Start(string script, string workingDirectory)
    {
        string functions = $"wclayer() {{ {Command} \"$@\"; }}\nwclayer_exec() {{ exec {Command} \"$@\"; }}\n";
        var start = new ProcessStartInfo("sh", ["-c", functions + script])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("sh did not start");
    }
}
