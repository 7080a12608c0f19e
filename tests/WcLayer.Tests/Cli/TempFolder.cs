namespace WcLayer.Tests.Cli;

/// <summary>A temporary directory for a test's layers, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wclayer-cli-store-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Everything in the folder (hidden files included), relative, sorted.</summary>
    public string[] Contents() =>
        [.. Directory.EnumerateFileSystemEntries(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => System.IO.Path.GetRelativePath(Path, p)).Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Portable.MountCleanup.UnmountAll(Path);
            Directory.Delete(Path, recursive: true);
        }
    }
}
