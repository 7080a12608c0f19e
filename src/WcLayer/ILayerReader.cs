namespace WcLayer;

/// <summary>
/// Reads a layer entry by entry, as hcsshim's <c>LayerReader</c>: each entry's content is a Win32 backup stream
/// (see <see cref="Win32.BackupStreamReader"/>).
/// </summary>
/// <remarks>
/// Entry names are layer-relative and use <c>\</c> separators on every OS (<c>Files\Windows\win.ini</c>,
/// <c>Hives\Sam_Delta</c>), exactly as the HCS layer API names them. Dispose the reader to release it; hcsshim's
/// <c>Close</c>.
/// </remarks>
public interface ILayerReader : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// Disposes the reader from asynchronous code (<c>await using</c>): releasing a layer may close many files. The default runs
    /// <see cref="IDisposable.Dispose"/>; an implementation with asynchronous I/O to do overrides it.
    /// </summary>
    /// <returns>A task that completes when disposed.</returns>
    ValueTask IAsyncDisposable.DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Advances to the next entry.</summary>
    /// <returns>The entry, or <see langword="null"/> at the end of the layer.</returns>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    LayerEntry? Next();

    /// <summary>Reads the current entry's content as a Win32 backup stream.</summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <returns>The number of bytes read; 0 at the end of the entry.</returns>
    /// <exception cref="InvalidOperationException">There is no current entry.</exception>
    int Read(Span<byte> buffer);

    /// <summary>
    /// The number of links and the file id of the current entry, so that an exporter can write the second and later
    /// names of one file as hard links (hcsshim HEAD's <c>LinkInfo</c>).
    /// </summary>
    /// <returns>The link information of the current entry.</returns>
    /// <exception cref="InvalidOperationException">There is no current entry, or it is a tombstone.</exception>
    LayerLinkInfo GetLinkInfo();
}
