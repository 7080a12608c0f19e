namespace WcLayer.Cli;

/// <summary>
/// A file written under a hidden temporary name beside its final one and renamed there only when whole: a killed or
/// failed writer leaves the final name as it was (absent, or the previous file). A writer holds its temporary open
/// with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a share mode on Windows), so the next writer
/// of the same name can tell a killed writer's temporary from a live one's and removes the first kind.
/// </summary>
internal sealed class AtomicFile : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _committed;

    public AtomicFile(string path)
    {
        _path = path;
        SweepAbandoned(path);
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

    /// <summary>Removes the temporaries of <paramref name="path"/> that no writer holds: what a killed writer left.</summary>
    private static void SweepAbandoned(string path)
    {
        string directory = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        string name = Path.GetFileName(path);
        List<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, "." + name + HiddenSibling.TemporaryMarker + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // the write itself will say what is wrong with the folder
        }

        foreach (string candidate in candidates)
        {
            if (HiddenSibling.OwnerOf(Path.GetFileName(candidate), HiddenSibling.TemporaryMarker) != name || new FileInfo(candidate).LinkTarget is not null)
            {
                continue; // another name's, or a link: never followed, not ours
            }

            try
            {
                // Opening it alone succeeds only when no writer has it open.
                using (new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 0))
                {
                }

                File.Delete(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A live writer's, or not ours to remove.
            }
        }
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
