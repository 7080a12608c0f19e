using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// The text Go prints for an errno on Windows (<c>syscall.Errno.Error</c>), which every hcsshim error message embeds:
/// Go's own text for the codes it invented (only EINVAL reaches these wrappers), else <c>FormatMessageW</c> from the
/// system table in en-US, then in the default language, with the trailing line break trimmed. When the system has no
/// text (or off Windows, where only the contract double answers) the English table of <see cref="Win32Error"/> is used,
/// and past it <c>winapi error #N</c>, as Go prints it.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class SystemMessage
{
    // Go reads at most 300 UTF-16 units; a longer message fails there and falls back the same way here.
    private const int BufferLength = 300;

    /// <summary>The message for a Win32 code, an HRESULT that is not of FACILITY_WIN32, or Go's EINVAL.</summary>
    internal static string Of(int code) =>
        code == HcsErrors.GoInvalidArgument ? "invalid argument"
        : Format(code, Interop.Kernel32.LanguageEnglishUnitedStates) ?? Format(code, 0) ?? Win32Error.GetMessage(code);

    private static unsafe string? Format(int code, uint language)
    {
        char* buffer = stackalloc char[BufferLength];
        uint length;
        try
        {
            length = Interop.Kernel32.FormatMessage(
                Interop.Kernel32.FormatMessageFromSystem | Interop.Kernel32.FormatMessageArgumentArray | Interop.Kernel32.FormatMessageIgnoreInserts,
                0,
                unchecked((uint)code),
                language,
                buffer,
                BufferLength,
                0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Only off Windows, outside the contract double: the table is all there is.
            return null;
        }

        while (length > 0 && buffer[length - 1] is '\r' or '\n')
        {
            length--;
        }

        return length == 0 ? null : new string(buffer, 0, (int)length);
    }
}
