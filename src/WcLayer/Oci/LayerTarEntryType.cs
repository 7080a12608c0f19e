namespace WcLayer.Oci;

/// <summary>What a tar entry of a Windows layer stands for.</summary>
public enum LayerTarEntryType
{
    /// <summary>A regular file (also character, block and FIFO entries, which become empty files as in hcsshim).</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (typeflag <c>2</c> without <c>MSWINDOWS.mountpoint</c>).</summary>
    SymbolicLink,

    /// <summary>A junction (mount point): typeflag <c>2</c> with <c>MSWINDOWS.mountpoint</c>.</summary>
    Junction,

    /// <summary>A hard link to an earlier entry (typeflag <c>1</c>).</summary>
    HardLink,

    /// <summary>A whiteout (<c>.wh.</c> name prefix): the layer deletes <see cref="LayerTarEntry.WhiteoutTarget"/>.</summary>
    Whiteout,

    /// <summary>An alternate data stream (<c>file:stream</c>) of the file entry just before it.</summary>
    AlternateDataStream,
}
