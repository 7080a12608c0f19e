namespace WcLayer.Hcs;

/// <summary>The two error shapes of the HCS wrappers besides the DLL error.</summary>
internal static class HcsErrors
{
    /// <summary>hcsshim's rule: any HRESULT &gt;= 0 is success (S_FALSE and other positive codes too).</summary>
    internal static void Check(int hresult, string title, string? path, string? detail = null)
    {
        if (hresult < 0)
        {
            throw new HcsException(title, hresult, path, detail);
        }
    }

    /// <summary>A Go <c>os.PathError</c>: <c>&lt;op&gt; &lt;path&gt;: &lt;message&gt;</c>; <paramref name="code"/> is a Win32 code or HRESULT.</summary>
    internal static HcsException PathError(string operation, string path, int code, Exception? innerException = null)
    {
        int error = Win32Error.FromHResult(code);
        return new HcsException($"{operation} {path}: {innerException?.Message ?? Win32Error.GetMessage(error)}", operation, error, path, innerException);
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

    /// <summary>What Go's UTF-16 conversion returns for a string containing NUL: EINVAL, before any call.</summary>
    internal static readonly int InvalidArgument = Win32Error.ToHResult(Win32Error.InvalidParameter);

    internal static bool HasNul(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);
}
