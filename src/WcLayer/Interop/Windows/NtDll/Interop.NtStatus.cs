internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary>The NTSTATUS values the seam looks at; everything else goes through <c>RtlNtStatusToDosError</c>.</summary>
        internal static class NtStatus
        {
            internal const int Success = 0;
            internal const int InvalidInfoClass = unchecked((int)0xC0000003);
            internal const int InvalidParameter = unchecked((int)0xC000000D);
            internal const int NotSupported = unchecked((int)0xC00000BB);
            internal const int ReparsePointEncountered = unchecked((int)0xC000050B);

            /// <summary><c>NT_SUCCESS</c>: success, informational and warning codes are not failures.</summary>
            internal static bool IsSuccess(int status) => status >= 0;
        }
    }
}
