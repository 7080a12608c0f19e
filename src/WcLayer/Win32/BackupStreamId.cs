namespace WcLayer.Win32;

/// <summary>The <c>dwStreamId</c> of a Win32 backup stream (<c>WIN32_STREAM_ID</c>).</summary>
public enum BackupStreamId : uint
{
    /// <summary><c>BACKUP_DATA</c>: the unnamed <c>$DATA</c> stream.</summary>
    Data = 1,

    /// <summary><c>BACKUP_EA_DATA</c>: a <c>FILE_FULL_EA_INFORMATION</c> list.</summary>
    ExtendedAttributes = 2,

    /// <summary><c>BACKUP_SECURITY_DATA</c>: a self-relative security descriptor.</summary>
    SecurityData = 3,

    /// <summary><c>BACKUP_ALTERNATE_DATA</c>: a named data stream, named <c>:name:$DATA</c>.</summary>
    AlternateData = 4,

    /// <summary><c>BACKUP_LINK</c>: hard link information.</summary>
    Link = 5,

    /// <summary><c>BACKUP_PROPERTY_DATA</c>: property data.</summary>
    PropertyData = 6,

    /// <summary><c>BACKUP_OBJECT_ID</c>: the object identifier.</summary>
    ObjectId = 7,

    /// <summary><c>BACKUP_REPARSE_DATA</c>: a <c>REPARSE_DATA_BUFFER</c>.</summary>
    ReparseData = 8,

    /// <summary><c>BACKUP_SPARSE_BLOCK</c>: one allocated range of a sparse file.</summary>
    SparseBlock = 9,

    /// <summary><c>BACKUP_TXFS_DATA</c>: transactional NTFS data.</summary>
    TxfsData = 10,
}
