using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>How entry types are named in the JSON output and abbreviated in the text output.</summary>
internal static class EntryTypeNames
{
    public static string Name(LayerTarEntryType type) => type switch
    {
        LayerTarEntryType.File => "file",
        LayerTarEntryType.Directory => "dir",
        LayerTarEntryType.SymbolicLink => "symlink",
        LayerTarEntryType.Junction => "junction",
        LayerTarEntryType.HardLink => "hardlink",
        LayerTarEntryType.Whiteout => "whiteout",
        LayerTarEntryType.AlternateDataStream => "stream",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static char Letter(LayerTarEntryType type) => type switch
    {
        LayerTarEntryType.File => '-',
        LayerTarEntryType.Directory => 'd',
        LayerTarEntryType.SymbolicLink => 'l',
        LayerTarEntryType.Junction => 'j',
        LayerTarEntryType.HardLink => 'h',
        LayerTarEntryType.Whiteout => 'w',
        LayerTarEntryType.AlternateDataStream => 's',
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
