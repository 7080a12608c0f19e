using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>The two error shapes of the HCS wrappers besides the DLL error.</summary>
[SupportedOSPlatform("windows")]
internal static class HcsErrors
{
    /// <summary>
    /// Go's <c>syscall.EINVAL</c> on Windows: an errno Go invented (<c>APPLICATION_ERROR + 39</c>), which its UTF-16
    /// conversion returns for a string containing NUL. hcsshim prints it as <c>invalid argument (0x20000027)</c>.
    /// </summary>
    internal const int GoInvalidArgument = 0x20000027;

    /// <summary>hcsshim's rule: any HRESULT &gt;= 0 is success (S_FALSE and other positive codes too); Go's EINVAL is not.</summary>
    internal static bool Failed(int result) => result < 0 || result == GoInvalidArgument;

    /// <summary>Throws hcsshim's <c>HcsError</c> for a failed result, with the system's text for the code.</summary>
    internal static void Check(int hresult, string title, string? path, string? detail = null)
    {
        if (Failed(hresult))
        {
            throw Error(title, hresult, path, detail);
        }
    }

    /// <summary>hcsshim's <c>HcsError</c>: <c>&lt;title&gt; failed in Win32: &lt;system message&gt; (0x&lt;code&gt;)</c>.</summary>
    internal static HcsException Error(string title, int hresult, string? path, string? detail = null) =>
        new(title, hresult, path, detail, SystemMessage.Of(hresult > 0 ? hresult : Win32Error.FromHResult(hresult)));

    /// <summary>A Go <c>os.PathError</c>: <c>&lt;op&gt; &lt;path&gt;: &lt;message&gt;</c>; <paramref name="code"/> is a Win32 code or HRESULT.</summary>
    internal static HcsException PathError(string operation, string path, int code, Exception? innerException = null)
    {
        int error = Win32Error.FromHResult(code);
        return new HcsException($"{operation} {path}: {innerException?.Message ?? SystemMessage.Of(error)}", operation, error, path, innerException);
    }

    /// <summary>A path error around an inner error: <c>&lt;op&gt; &lt;path&gt;: &lt;inner message&gt;</c>, keeping the inner code.</summary>
    internal static HcsException Wrap(string operation, string path, HcsException inner) =>
        new($"{operation} {path}: {inner.Message}", operation, inner.ErrorCode, path, inner);

    /// <summary>
    /// hcsshim's <c>hcserror.New(err, title, "")</c> around an arbitrary error:
    /// <c>&lt;title&gt; failed in Win32: &lt;inner message&gt; (0x&lt;code&gt;)</c>, where the code is the first Win32 code
    /// in the inner chain (<c>Win32FromError</c>) or <c>ERROR_GEN_FAILURE</c> (0x1f) when there is none. An error that
    /// is or wraps a DLL load error is returned unchanged, as hcsshim passes it through.
    /// </summary>
    internal static Exception Titled(string title, Exception inner)
    {
        for (Exception? e = inner; e is not null; e = e.InnerException)
        {
            if (e is HcsDllException)
            {
                return inner;
            }
        }

        int code = CodeOf(inner);
        return new HcsException(title, code == 0 ? Win32Error.GenFailure : code, path: null, detail: null, systemMessage: inner.Message, innerException: inner);
    }

    /// <summary>The Win32 code an error carries (hcsshim's <c>Win32FromError</c>), else <c>ERROR_GEN_FAILURE</c>.</summary>
    internal static int CodeOf(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HcsException hcs:
                    return hcs.ErrorCode;
                case LayerPathException path:
                    return path.ErrorCode;
                case System.ComponentModel.Win32Exception win32:
                    return win32.NativeErrorCode;
            }
        }

        return Win32Error.GenFailure;
    }

    internal static bool HasNul(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);
}
