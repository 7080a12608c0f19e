namespace WcLayer.Cli;

/// <summary>
/// A file written under a hidden temporary name beside its final one and renamed there only when whole: a killed or
/// failed writer leaves the final name as it was (absent, or the previous file).
/// </summary>
internal sealed class AtomicFile : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _committed;

    public AtomicFile(string path)
    {
        _path = path;
        _temporary = HiddenSibling.Beside(path, HiddenSibling.TemporaryMarker);
        Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
    }

    /// <summary>The temporary file; the writer may dispose it.</summary>
    public FileStream Stream { get; }

    /// <summary>Closes the file and gives it its final name, replacing a file already there.</summary>
    /// <returns>A task that completes when the file has its name.</returns>
    public async Task CommitAsync()
    {
        await Stream.DisposeAsync();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_committed)
        {
            return;
        }

        try
        {
            await Stream.DisposeAsync();
        }
        catch (IOException)
        {
            // The write already failed (full disk): the temporary file goes anyway.
        }

        File.Delete(_temporary);
    }
}
