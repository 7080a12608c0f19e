namespace WcLayer;

/// <summary>
/// The Win32 error codes the layer API produces, with the English system messages <c>FormatMessageW</c> returns for
/// them, so that exceptions read the same on every OS.
/// </summary>
public static class Win32Error
{
    /// <summary><c>ERROR_SUCCESS</c>.</summary>
    public const int Success = 0;

    /// <summary><c>ERROR_INVALID_FUNCTION</c>.</summary>
    public const int InvalidFunction = 1;

    /// <summary><c>ERROR_FILE_NOT_FOUND</c>.</summary>
    public const int FileNotFound = 2;

    /// <summary><c>ERROR_PATH_NOT_FOUND</c>.</summary>
    public const int PathNotFound = 3;

    /// <summary><c>ERROR_ACCESS_DENIED</c>.</summary>
    public const int AccessDenied = 5;

    /// <summary><c>ERROR_INVALID_HANDLE</c>.</summary>
    public const int InvalidHandle = 6;

    /// <summary><c>ERROR_NOT_READY</c>.</summary>
    public const int NotReady = 21;

    /// <summary><c>ERROR_GEN_FAILURE</c>: what hcsshim reports when an error carries no Win32 code.</summary>
    public const int GenFailure = 31;

    /// <summary><c>ERROR_SHARING_VIOLATION</c>.</summary>
    public const int SharingViolation = 32;

    /// <summary><c>ERROR_HANDLE_EOF</c>.</summary>
    public const int HandleEof = 38;

    /// <summary><c>ERROR_NOT_SUPPORTED</c>.</summary>
    public const int NotSupported = 50;

    /// <summary><c>ERROR_BAD_NETPATH</c>.</summary>
    public const int BadNetPath = 53;

    /// <summary><c>ERROR_FILE_EXISTS</c>.</summary>
    public const int FileExists = 80;

    /// <summary><c>ERROR_INVALID_PARAMETER</c>.</summary>
    public const int InvalidParameter = 87;

    /// <summary><c>ERROR_DISK_FULL</c>.</summary>
    public const int DiskFull = 112;

    /// <summary><c>ERROR_INSUFFICIENT_BUFFER</c>.</summary>
    public const int InsufficientBuffer = 122;

    /// <summary><c>ERROR_INVALID_NAME</c>.</summary>
    public const int InvalidName = 123;

    /// <summary><c>ERROR_MOD_NOT_FOUND</c>: a DLL could not be loaded.</summary>
    public const int ModNotFound = 126;

    /// <summary><c>ERROR_PROC_NOT_FOUND</c>: a DLL lacks an export.</summary>
    public const int ProcNotFound = 127;

    /// <summary><c>ERROR_DIR_NOT_EMPTY</c>.</summary>
    public const int DirNotEmpty = 145;

    /// <summary><c>ERROR_BUSY</c>.</summary>
    public const int Busy = 170;

    /// <summary><c>ERROR_ALREADY_EXISTS</c>.</summary>
    public const int AlreadyExists = 183;

    /// <summary><c>ERROR_FILENAME_EXCED_RANGE</c>.</summary>
    public const int FilenameExceedsRange = 206;

    /// <summary><c>ERROR_DIRECTORY</c>.</summary>
    public const int Directory = 267;

    /// <summary><c>ERROR_NOT_ALL_ASSIGNED</c>.</summary>
    public const int NotAllAssigned = 1300;

    /// <summary><c>ERROR_PRIVILEGE_NOT_HELD</c>.</summary>
    public const int PrivilegeNotHeld = 1314;

    /// <summary><c>ERROR_DEVICE_NOT_CONNECTED</c>.</summary>
    public const int DeviceNotConnected = 1167;

    /// <summary><c>ERROR_NOT_A_REPARSE_POINT</c>.</summary>
    public const int NotAReparsePoint = 4390;

    /// <summary><c>ERROR_NOT_SAME_DEVICE</c>: a hard link across volumes.</summary>
    public const int NotSameDevice = 17;

    /// <summary><c>ERROR_REPARSE_POINT_ENCOUNTERED</c>: a path component is a reparse point (symbolic link), which layer operations never follow.</summary>
    public const int ReparsePointEncountered = 4395;

    /// <summary><c>ERROR_EA_TABLE_FULL</c>: no room for the metadata kept in extended attributes.</summary>
    public const int EaTableFull = 277;

    /// <summary><c>ERROR_EAS_NOT_SUPPORTED</c>: the file system has no extended attributes.</summary>
    public const int EasNotSupported = 282;

    /// <summary><c>ERROR_CANT_ACCESS_FILE</c>.</summary>
    public const int CantAccessFile = 1920;

    /// <summary><c>ERROR_WRITE_PROTECT</c>: the media is write protected (a read-only file system).</summary>
    public const int WriteProtect = 19;

    private static readonly Dictionary<int, string> Messages = new()
    {
        [Success] = "The operation completed successfully.",
        [InvalidFunction] = "Incorrect function.",
        [FileNotFound] = "The system cannot find the file specified.",
        [PathNotFound] = "The system cannot find the path specified.",
        [AccessDenied] = "Access is denied.",
        [InvalidHandle] = "The handle is invalid.",
        [NotReady] = "The device is not ready.",
        [GenFailure] = "A device attached to the system is not functioning.",
        [SharingViolation] = "The process cannot access the file because it is being used by another process.",
        [HandleEof] = "Reached the end of the file.",
        [NotSupported] = "The request is not supported.",
        [BadNetPath] = "The network path was not found.",
        [FileExists] = "The file exists.",
        [InvalidParameter] = "The parameter is incorrect.",
        [DiskFull] = "There is not enough space on the disk.",
        [InsufficientBuffer] = "The data area passed to a system call is too small.",
        [InvalidName] = "The filename, directory name, or volume label syntax is incorrect.",
        [ModNotFound] = "The specified module could not be found.",
        [ProcNotFound] = "The specified procedure could not be found.",
        [DirNotEmpty] = "The directory is not empty.",
        [Busy] = "The requested resource is in use.",
        [AlreadyExists] = "Cannot create a file when that file already exists.",
        [FilenameExceedsRange] = "The filename or extension is too long.",
        [Directory] = "The directory name is invalid.",
        [NotAllAssigned] = "Not all privileges or groups referenced are assigned to the caller.",
        [PrivilegeNotHeld] = "A required privilege is not held by the client.",
        [DeviceNotConnected] = "The device is not connected.",
        [NotAReparsePoint] = "The file or directory is not a reparse point.",
        [CantAccessFile] = "The file cannot be accessed by the system.",
        [WriteProtect] = "The media is write protected.",
        [NotSameDevice] = "The system cannot move the file to a different disk drive.",
        [ReparsePointEncountered] = "The object manager encountered a reparse point while retrieving an object.",
        [EaTableFull] = "The extended attribute table file is full.",
        [EasNotSupported] = "The file system does not support extended attributes.",
    };

    /// <summary>The English system message for a Win32 error code or HRESULT, or <c>winapi error #N</c> as hcsshim prints unknown codes.</summary>
    /// <param name="code">A Win32 error code, or an HRESULT that is not of FACILITY_WIN32.</param>
    /// <returns>The message, without a trailing newline.</returns>
    public static string GetMessage(int code) =>
        Messages.TryGetValue(code, out string? message) ? message : $"winapi error #{(uint)code}";

    /// <summary>The HRESULT for a Win32 error code (<c>HRESULT_FROM_WIN32</c>).</summary>
    /// <param name="error">The Win32 error code.</param>
    /// <returns>The HRESULT.</returns>
    public static int ToHResult(int error) => error <= 0 ? error : unchecked((int)(((uint)error & 0xFFFF) | 0x80070000));

    /// <summary>
    /// The error code hcsshim reports for an HRESULT: the Win32 code for FACILITY_WIN32 failures
    /// (<c>0x80070002</c> → 2), else the whole HRESULT.
    /// </summary>
    /// <param name="hresult">The HRESULT.</param>
    /// <returns>The Win32 code or the HRESULT.</returns>
    public static int FromHResult(int hresult) =>
        hresult < 0 && (hresult & 0x1FFF0000) == 0x00070000 ? hresult & 0xFFFF : hresult;
}
