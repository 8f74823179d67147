/* Included last by every .c file: turns calls to unsafe libc functions into compile errors. */
#ifndef KS_LIB_BANNED_H
#define KS_LIB_BANNED_H

#define KS_BANNED(func) sorry_##func##_is_banned_in_kesu

#undef strcpy
#define strcpy(x, y) KS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) KS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) KS_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) KS_BANNED(strncat)
#undef sprintf
#define sprintf(...) KS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) KS_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) KS_BANNED(strtok)
#undef gets
#define gets(x) KS_BANNED(gets)
#undef atoi
#define atoi(x) KS_BANNED(atoi)
#undef atol
#define atol(x) KS_BANNED(atol)

#endif
