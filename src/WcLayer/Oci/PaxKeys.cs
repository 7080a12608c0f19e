namespace WcLayer.Oci;

/// <summary>The PAX record keys of Windows layer tars (go-winio backuptar) and the standard ones we read.</summary>
internal static class PaxKeys
{
    public const string FileAttributes = "MSWINDOWS.fileattr";
    public const string RawSecurityDescriptor = "MSWINDOWS.rawsd";
    public const string SecurityDescriptorSddl = "MSWINDOWS.sd";
    public const string MountPoint = "MSWINDOWS.mountpoint";
    public const string ExtendedAttributePrefix = "MSWINDOWS.xattr.";
    public const string CreationTime = "LIBARCHIVE.creationtime";
    public const string LibarchiveSymlinkType = "LIBARCHIVE.symlinktype";
    public const string SchilyFileFlags = "SCHILY.fflags";

    public const string Path = "path";
    public const string LinkPath = "linkpath";
    public const string Size = "size";
    public const string ModificationTime = "mtime";
    public const string AccessTime = "atime";
    public const string ChangeTime = "ctime";
    public const string GnuSparsePrefix = "GNU.sparse.";
    public const string GnuSparseMajor = "GNU.sparse.major";
    public const string GnuSparseMinor = "GNU.sparse.minor";
    public const string GnuSparseName = "GNU.sparse.name";
    public const string GnuSparseRealSize = "GNU.sparse.realsize";
}
