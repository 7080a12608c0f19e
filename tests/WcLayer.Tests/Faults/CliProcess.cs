using System.Diagnostics;

namespace WcLayer.Tests.Faults;

/// <summary>Runs the real <c>wclayer</c> as a child process, to completion or until it is killed with SIGKILL.</summary>
public static class CliProcess
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "WcLayer.Cli.dll");

    /// <summary>Runs a command to its end; returns the exit code and standard error.</summary>
    public static async Task<(int ExitCode, string Error)> RunAsync(params string[] args)
    {
        using Process child = Start(args);
        Task<string> error = child.StandardError.ReadToEndAsync();
        Task drain = child.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await drain;
        return (child.ExitCode, await error);
    }

    /// <summary>Starts a command and kills it without warning after <paramref name="delay"/> (if it is still running then).</summary>
    /// <returns>Whether the kill landed before the command ended by itself.</returns>
    public static async Task<bool> RunAndKillAsync(TimeSpan delay, params string[] args)
    {
        using Process child = Start(args);
        Task<string> error = child.StandardError.ReadToEndAsync();
        Task drain = child.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        bool killed = false;
        if (!child.WaitForExit(delay))
        {
            try
            {
                child.Kill(entireProcessTree: true);
                killed = true;
            }
            catch (InvalidOperationException)
            {
                // It ended between the wait and the kill.
            }
        }

        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await drain;
        _ = await error;
        return killed;
    }

    private static Process Start(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", ["exec", Cli, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return Process.Start(psi)!;
    }
}
