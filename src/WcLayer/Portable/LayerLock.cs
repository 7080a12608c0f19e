namespace WcLayer.Portable;

/// <summary>
/// An exclusive lock on one layer for the duration of an operation: a lock file beside the layer folder
/// (<c>.&lt;name&gt;.wclayer.lock</c>) held open without sharing. Operations on different layers never wait for
/// each other; a conflicting operation on the same layer waits, then fails with <c>ERROR_SHARING_VIOLATION</c>.
/// </summary>
internal sealed class LayerLock : IDisposable
{
    private readonly FileStream _file;

    private LayerLock(FileStream file) => _file = file;

    public static string PathFor(string layerPath)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(layerPath));
        return Path.Combine(Path.GetDirectoryName(full) ?? full, "." + Path.GetFileName(full) + ".wclayer.lock");
    }

    public static LayerLock Acquire(string layerPath, string operation, TimeSpan timeout)
    {
        string lockPath = PathFor(layerPath);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new LayerLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (DirectoryNotFoundException)
            {
                throw new HcsException(operation, Win32Error.PathNotFound, layerPath);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException e)
            {
                throw new HcsException(operation, Win32Error.SharingViolation, layerPath, innerException: e);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
