namespace WcLayer;

/// <summary>
/// An <see cref="ILayerReader"/> that can reposition within the current entry's backup stream. The tar exporter uses
/// it to read the whole stream twice (metadata first, then data), so that extended attributes that follow the data
/// stream are not lost; without it, the exporter works in a single pass, as go-winio does for unseekable readers.
/// </summary>
public interface ISeekableLayerReader : ILayerReader
{
    /// <summary>Whether the current entry can be repositioned (a reader may allow it for some entries only).</summary>
    bool CanSeekEntry { get; }

    /// <summary>Sets the position within the current entry's backup stream.</summary>
    /// <param name="offset">The offset relative to <paramref name="origin"/>.</param>
    /// <param name="origin">The reference point.</param>
    /// <returns>The new position from the start of the entry's backup stream.</returns>
    /// <exception cref="NotSupportedException"><see cref="CanSeekEntry"/> is false.</exception>
    long SeekEntry(long offset, SeekOrigin origin);
}
