using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>
/// Folds alternate data stream entries into the entry they belong to. They immediately follow their owner in a tar,
/// so one pending entry is enough: it is complete when the next non-stream entry, or the end, arrives.
/// </summary>
internal sealed class StreamGrouper
{
    private ListedEntry? _pending;

    /// <summary>Takes the next tar entry.</summary>
    /// <param name="entry">The entry just read.</param>
    /// <returns>The previous entry if <paramref name="entry"/> completes it; otherwise <see langword="null"/>.</returns>
    public ListedEntry? Add(LayerTarEntry entry)
    {
        if (entry.EntryType == LayerTarEntryType.AlternateDataStream)
        {
            if (_pending is null || _pending.Entry.Name != entry.StreamOwner)
            {
                throw new InvalidDataException($"Tar entry '{entry.Name}': an alternate data stream must follow its file.");
            }

            _pending.Streams.Add(new AlternateStream(entry.StreamName ?? string.Empty, entry.Size));
            return null;
        }

        ListedEntry? completed = _pending;
        _pending = new ListedEntry(entry);
        return completed;
    }

    /// <summary>Hands out the pending entry at the end of the listing (or when reading failed).</summary>
    /// <returns>The pending entry, or <see langword="null"/>.</returns>
    public ListedEntry? Flush()
    {
        ListedEntry? completed = _pending;
        _pending = null;
        return completed;
    }
}
