using WcLayer.Win32;

namespace WcLayer.Oci;

/// <summary>One entry of a Windows layer tar with its Windows metadata decoded from the PAX records (go-winio backuptar).</summary>
public sealed class LayerTarEntry
{
    internal LayerTarEntry(string name, LayerTarEntryType entryType, IReadOnlyDictionary<string, string> paxRecords)
    {
        Name = name;
        EntryType = entryType;
        PaxRecords = paxRecords;
    }

    /// <summary>The entry name with <c>/</c> separators, without a leading <c>./</c> or trailing <c>/</c>.</summary>
    public string Name { get; }

    /// <summary>What the entry stands for.</summary>
    public LayerTarEntryType EntryType { get; }

    /// <summary>Bytes of data: the main data stream of a file, or the stream of an alternate data stream entry; 0 otherwise.</summary>
    public long Size { get; internal set; }

    /// <summary>
    /// Times and attributes. Without PAX records the defaults are those of go-winio, with its bug B5 fixed: creation
    /// time = modification time, absent access and change times are 0 ("not set"), attributes
    /// <c>FILE_ATTRIBUTE_DIRECTORY</c> for directories and 0 for everything else (plus the directory bit for a symbolic
    /// link that libarchive marks <c>LIBARCHIVE.symlinktype=dir</c>, and the read-only, hidden, system and archive bits
    /// named in <c>SCHILY.fflags</c>). <c>FILE_ATTRIBUTE_REPARSE_POINT</c> is kept only on symbolic links and junctions.
    /// </summary>
    public FileBasicInfo FileInfo { get; internal set; }

    /// <summary>The self-relative security descriptor (<c>MSWINDOWS.rawsd</c>, or the legacy SDDL <c>MSWINDOWS.sd</c> converted); <see langword="null"/> if none.</summary>
    public byte[]? SecurityDescriptor { get; internal set; }

    /// <summary>Extended attributes (<c>MSWINDOWS.xattr.*</c>), sorted by name; flags are not carried by tars and are 0.</summary>
    public IReadOnlyList<ExtendedAttribute> ExtendedAttributes { get; internal set; } = [];

    /// <summary>
    /// For <see cref="LayerTarEntryType.HardLink"/>: the name of the linked entry (<c>/</c> separators). For symbolic
    /// links and junctions: the target as stored (the reparse point's print name).
    /// </summary>
    public string? LinkTarget { get; internal set; }

    /// <summary>For <see cref="LayerTarEntryType.Whiteout"/>: the name the whiteout deletes.</summary>
    public string? WhiteoutTarget { get; internal set; }

    /// <summary>For <see cref="LayerTarEntryType.AlternateDataStream"/>: the stream name (the part after the file name's <c>:</c>).</summary>
    public string? StreamName { get; internal set; }

    /// <summary>For <see cref="LayerTarEntryType.AlternateDataStream"/>: the name of the file the stream belongs to.</summary>
    public string? StreamOwner { get; internal set; }

    /// <summary>Every PAX record of the entry as read (empty for USTAR and GNU entries).</summary>
    public IReadOnlyDictionary<string, string> PaxRecords { get; }

    /// <summary>Whether the entry is a regular file in the tar, so its backup stream has a data stream (possibly empty).</summary>
    internal bool HasDataStream { get; init; }

    /// <summary>The entry data, readable until the next entry is read; <see langword="null"/> when there is none.</summary>
    public Stream? DataStream { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => $"{EntryType} {Name}";
}
