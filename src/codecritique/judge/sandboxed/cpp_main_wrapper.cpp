
#include <unistd.h>
extern "C" int __cc_harness_main(int, char**, char**);
static char cc_token[64];
static ssize_t cc_token_n = -1;
static void cc_take_token(int, char**, char**) {
    cc_token_n = pread(3, cc_token, sizeof cc_token, 0);
    if (ftruncate(3, 0) != 0) cc_token_n = -1;
}
__attribute__((section(".preinit_array"), used)) static void (*cc_take_token_at_start)(int, char**, char**) =
    cc_take_token;
int main(int argc, char** argv, char** envp) {
    int status = __cc_harness_main(argc, argv, envp);
    if (status == 0 && cc_token_n > 0 &&
        (ftruncate(3, 0) != 0 || pwrite(3, cc_token, (size_t)cc_token_n, 0) != cc_token_n)) status = 1;
    return status;
}
