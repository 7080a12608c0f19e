namespace WcLayer.Oci;

/// <summary>
/// What a Windows layer tar may name, checked entry by entry on import, so that nothing is dropped or altered
/// silently: only <c>Files/</c>, <c>Hives/</c> and <c>UtilityVM/</c> at the top (anything else would be stored
/// where no reader looks, or collide with the store's own files), each name once, and attributes that agree with the
/// entry's type.
/// </summary>
internal sealed class LayerTarNames
{
    private static readonly string[] TopLevelNames = ["Files", "Hives", "UtilityVM"];

    // Names are short and layers hold thousands to a few hundred thousand entries: the set stays in the megabytes.
    private readonly Dictionary<string, LayerTarEntryType> _seen = new(StringComparer.Ordinal);

    /// <summary>Checks one entry (an alternate data stream is checked with its file).</summary>
    /// <exception cref="InvalidDataException">The entry cannot be imported faithfully; the message names it.</exception>
    public void Check(LayerTarEntry entry)
    {
        if (entry.EntryType == LayerTarEntryType.AlternateDataStream)
        {
            return;
        }

        string name = entry.EntryType == LayerTarEntryType.Whiteout ? entry.WhiteoutTarget! : entry.Name;
        string top = name.Split('/', 2)[0];
        if (Array.IndexOf(TopLevelNames, top) < 0)
        {
            throw new InvalidDataException(
                $"Tar entry '{entry.Name}': a Windows layer holds only Files/, Hives/ and UtilityVM/ at its top level; '{top}' would not be imported faithfully (names are case-sensitive here, as in hcsshim).");
        }

        if (entry.EntryType == LayerTarEntryType.Whiteout)
        {
            return;
        }

        if (!_seen.TryAdd(entry.Name, entry.EntryType))
        {
            throw new InvalidDataException(
                $"Tar entry '{entry.Name}': the name appears a second time (first as {Describe(_seen[entry.Name])}, now as {Describe(entry.EntryType)}); a layer holds each name once, so one of them would be lost.");
        }

        bool directoryAttribute = (entry.FileInfo.FileAttributes & FileAttributes.Directory) != 0;
        switch (entry.EntryType)
        {
            case LayerTarEntryType.File when directoryAttribute:
                throw new InvalidDataException(
                    $"Tar entry '{entry.Name}': a regular file whose attributes (0x{(uint)entry.FileInfo.FileAttributes:x}) include FILE_ATTRIBUTE_DIRECTORY; it would become a directory and lose its data.");
            case LayerTarEntryType.Directory or LayerTarEntryType.Junction when !directoryAttribute:
                throw new InvalidDataException(
                    $"Tar entry '{entry.Name}': {Describe(entry.EntryType)} whose attributes (0x{(uint)entry.FileInfo.FileAttributes:x}) lack FILE_ATTRIBUTE_DIRECTORY; it would become a file.");
        }
    }

    private static string Describe(LayerTarEntryType type) => type switch
    {
        LayerTarEntryType.File => "a file",
        LayerTarEntryType.Directory => "a directory",
        LayerTarEntryType.HardLink => "a hard link",
        LayerTarEntryType.SymbolicLink => "a symbolic link",
        LayerTarEntryType.Junction => "a junction",
        _ => type.ToString(),
    };
}
