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

    /// <summary>What Go's UTF-16 conversion returns for a string containing NUL: EINVAL, before any call.</summary>
    internal static readonly int InvalidArgument = Win32Error.ToHResult(Win32Error.InvalidParameter);

    internal static bool HasNul(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);
}
