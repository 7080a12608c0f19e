using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>An entry to print: a tar entry together with the alternate data stream entries that followed it.</summary>
internal sealed class ListedEntry
{
    public ListedEntry(LayerTarEntry entry)
    {
        Entry = entry;
    }

    public LayerTarEntry Entry { get; }

    public List<AlternateStream> Streams { get; } = [];
}

/// <summary>An alternate data stream of a listed entry: its name (without the owner's name and <c>:</c>) and size.</summary>
internal readonly record struct AlternateStream(string Name, long Size);
