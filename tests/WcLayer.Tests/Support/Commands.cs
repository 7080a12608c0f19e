using System.Diagnostics;

namespace WcLayer.Tests.Support;

/// <summary>Runs a system command (mount, umount, mkfifo) that a test needs, failing the test if it fails.</summary>
public static class Commands
{
    public static void Run(string file, params string[] args)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {error}");
    }

    /// <summary>Whether this process may mount (root); in CI, which runs as root, it must be able to.</summary>
    public static bool CanMount =>
        OperatingSystem.IsLinux() && (Environment.UserName == "root" || Environment.GetEnvironmentVariable("CI") == "true");
}
