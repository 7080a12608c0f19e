using WcLayer.Win32;

namespace WcLayer;

/// <summary>
/// Builds a layer entry by entry, as hcsshim's <c>LayerWriter</c>. Content is written as a Win32 backup stream
/// (see <see cref="BackupStreamWriter"/>).
/// </summary>
/// <remarks>
/// Names are layer-relative with <c>\</c> separators on every OS. <see cref="Commit"/> finishes the layer
/// (hcsshim's <c>Close</c>); disposing a writer that was not committed discards everything it wrote, so a failed
/// import never leaves a partial layer.
/// </remarks>
public interface ILayerWriter : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// Disposes the writer from asynchronous code (<c>await using</c>): discarding an uncommitted layer deletes its files. The default runs
    /// <see cref="IDisposable.Dispose"/>; an implementation with asynchronous I/O to do overrides it.
    /// </summary>
    /// <returns>A task that completes when disposed.</returns>
    ValueTask IAsyncDisposable.DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Starts a new file or directory; the backup stream that follows through <see cref="Write"/> is its content.</summary>
    /// <param name="name">The layer-relative name, e.g. <c>Files\a.txt</c>.</param>
    /// <param name="info">Times and attributes.</param>
    void Add(string name, FileBasicInfo info);

    /// <summary>Adds a hard link named <paramref name="name"/> to the existing file <paramref name="target"/>.</summary>
    /// <param name="name">The new name.</param>
    /// <param name="target">A file added earlier to this layer, or present in a parent layer.</param>
    void AddLink(string name, string target);

    /// <summary>Records a tombstone: <paramref name="name"/> is deleted from the parent layers.</summary>
    /// <param name="name">The layer-relative name to delete.</param>
    void Remove(string name);

    /// <summary>Writes backup stream bytes for the entry started by the last <see cref="Add"/>.</summary>
    /// <param name="backupStreamBytes">The next bytes of the backup stream.</param>
    void Write(ReadOnlySpan<byte> backupStreamBytes);

    /// <summary>Finishes the layer. The writer cannot be used afterwards.</summary>
    void Commit();
}
