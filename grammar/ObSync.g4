// ObSync.g4 — the obsync synchronization language (see docs/language.md).
// Keywords are case-insensitive; comments and white space go to the hidden channel so that the
// formatter can keep every comment. Expression precedence follows MySQL 8 (highest first).
grammar ObSync;

script : statement* EOF ;
standaloneExpr : expr EOF ;

statement
  : INCLUDE STRING ';'                                                     #includeStmt
  | SOURCE name=ident kind=ident '(' propertyList? ')' ';'                 #sourceStmt
  | SINK name=ident kind=ident '(' propertyList? ')' ';'                   #sinkStmt
  | PROJECT projectName projectOption* ';'                                 #projectStmt
  | SYNC tableRef (',' tableRef)* TO syncTarget syncClause* ';'            #syncStmt
  ;

propertyList : property (',' property)* ;
property : key=propertyKey '=' propertyValue ;
propertyKey : ident | STRING ;
propertyValue
  : ENV '(' STRING ')'                        #envValue
  | FILE '(' STRING ')'                       #fileValue
  | '(' propertyList? ')'                     #mapValue
  | literal                                   #literalValue
  | ident                                     #wordValue
  ;

projectName : ident | STRING ;
projectOption
  : TAGS '(' STRING (',' STRING)* ')'                        #tagsOption
  | BUSINESS ID STRING                                       #businessIdOption
  | FROM source=ident TO sink=ident                          #fromToOption
  | TYPES '(' ident (',' ident)* ')'                         #typesOption
  | START AT (STRING | NOW)                                  #startAtOption
  | FORMAT ident                                             #formatOption
  | PARTITION BY ident                                       #partitionOption
  | TRANSACTION SEQUENCE (ON | OFF)                          #sequenceOption
  | DELIVERY (AT LEAST ONCE | EXACTLY ONCE)                  #deliveryOption
  | DDL (ON | OFF)                                           #ddlOption
  ;

tableRef : db=ident '.' (table=ident | star='*' | pattern=STRING) ;

syncTarget
  : TOPIC topicName ('(' topicOption (',' topicOption)* ')')?   #topicTarget
  | EXISTING TOPIC topicName                                    #existingTopicTarget
  | TOPICS STRING                                               #topicsTarget
  ;
topicName : ident ('.' ident)* | STRING ;
topicOption : ident INTEGER_LITERAL ;

syncClause
  : WHERE expr                                               #whereClause
  | COLUMNS '(' columnItem (',' columnItem)* ')'             #columnsClause
  | COLUMNS EXCEPT '(' ident (',' ident)* ')'                #columnsExceptClause
  | SHARD BY '(' ident (',' ident)* ')'                      #shardByClause
  | FORMAT ident                                             #formatClause
  | PARTITION BY ident                                       #partitionClause
  ;
columnItem : expr (AS? alias=ident)? ;

// ---- expressions: MySQL's own levels (sql_yacc.yy): expr > bool_pri > predicate > bit_expr >
// simple_expr. Operands of LIKE, BETWEEN, IN and REGEXP are bit expressions, so
// `a LIKE 'x%' AND b = 1` and `a BETWEEN 1 AND 2 AND b` read as MySQL reads them.
expr
  : boolPrimary IS NOT? (TRUE_ | FALSE_ | UNKNOWN)                       #isTruthExpr
  | boolPrimary                                                          #boolPrimaryExpr
  | NOT expr                                                             #notExpr
  | expr op=(AND | '&&') expr                                            #andExpr
  | expr XOR expr                                                        #xorExpr
  | expr op=(OR | '||') expr                                             #orExpr
  ;

boolPrimary
  : boolPrimary IS NOT? NULL_                                            #isNullExpr
  | boolPrimary IS NOT? DISTINCT FROM predicate                          #isDistinctExpr
  | boolPrimary op=('=' | '<=>' | '<>' | '!=' | '<' | '<=' | '>' | '>=') predicate   #compareExpr
  | predicate                                                            #predicateExpr
  ;

predicate
  : bitExpr NOT? IN '(' expr (',' expr)* ')'                             #inExpr
  | bitExpr NOT? BETWEEN bitExpr AND predicate                           #betweenExpr
  | bitExpr NOT? LIKE simpleExpr (ESCAPE simpleExpr)?                    #likeExpr
  | bitExpr NOT? (REGEXP | RLIKE) bitExpr                                #regexpExpr
  | bitExpr                                                              #bitExprPredicate
  ;

bitExpr
  : simpleExpr                                                           #simpleBitExpr
  | bitExpr '^' bitExpr                                                  #bitXorExpr
  | bitExpr op=('*' | '/' | DIV | '%' | MOD) bitExpr                     #mulExpr
  | bitExpr op=('+' | '-') bitExpr                                       #addExpr
  | bitExpr op=('<<' | '>>') bitExpr                                     #shiftExpr
  | bitExpr '&' bitExpr                                                  #bitAndExpr
  | bitExpr '|' bitExpr                                                  #bitOrExpr
  ;

simpleExpr
  : primary                                                              #primaryExpr
  | simpleExpr COLLATE collationName                                     #collateExpr
  | BINARY simpleExpr                                                    #binaryExpr
  | '!' simpleExpr                                                       #bangExpr
  | op=('-' | '+' | '~') simpleExpr                                      #unaryExpr
  ;

primary
  : literal                                                              #literalPrimary
  | '(' expr ')'                                                         #parenPrimary
  | CASE operand=expr? caseWhen+ (ELSE elseExpr=expr)? END               #casePrimary
  | CAST '(' expr AS castType ')'                                        #castPrimary
  | CONVERT '(' expr ',' castType ')'                                    #convertPrimary
  | INTERVAL expr intervalUnit                                           #intervalPrimary
  | (SUBSTRING | SUBSTR) '(' expr FROM expr (FOR expr)? ')'              #substringFromPrimary
  | TRIM '(' trimSide=(LEADING | TRAILING | BOTH)? remstr=expr? FROM expr ')'   #trimFromPrimary
  | POSITION '(' expr IN expr ')'                                        #positionPrimary
  | functionName '(' (expr (',' expr)*)? ')'                             #callPrimary
  | OLD '.' ident                                                        #oldColumnPrimary
  | ident op=('->' | '->>') STRING                                       #jsonPathPrimary
  | ident                                                                #columnPrimary
  ;
caseWhen : WHEN expr THEN expr ;
functionName : ident | LEFT_KW | RIGHT_KW | INSERT_KW | IF_KW | REPLACE_KW | MOD | DATE | TIME | TIMESTAMP
             | CHAR | YEAR | MONTH | DAY | HOUR | MINUTE | SECOND | MICROSECOND | WEEK | QUARTER
             | SUBSTRING | SUBSTR | TRIM | POSITION | CONVERT | FORMAT | DATABASE_KW ;

castType
  : BINARY ('(' INTEGER_LITERAL ')')?
  | CHAR ('(' INTEGER_LITERAL ')')? (CHARACTER SET ident)?
  | DATE
  | DATETIME ('(' INTEGER_LITERAL ')')?
  | TIME ('(' INTEGER_LITERAL ')')?
  | DECIMAL ('(' INTEGER_LITERAL (',' INTEGER_LITERAL)? ')')?
  | SIGNED (INTEGER | INT)?
  | UNSIGNED (INTEGER | INT)?
  | DOUBLE
  | FLOAT ('(' INTEGER_LITERAL ')')?
  | JSON
  | YEAR
  ;

intervalUnit
  : MICROSECOND | SECOND | MINUTE | HOUR | DAY | WEEK | MONTH | QUARTER | YEAR
  | SECOND_MICROSECOND | MINUTE_MICROSECOND | MINUTE_SECOND | HOUR_MICROSECOND | HOUR_SECOND
  | HOUR_MINUTE | DAY_MICROSECOND | DAY_SECOND | DAY_MINUTE | DAY_HOUR | YEAR_MONTH
  ;

collationName : ident | STRING | BINARY ;

literal
  : STRING+                                    #stringLiteral
  | INTEGER_LITERAL                            #integerLiteral
  | DECIMAL_LITERAL                            #decimalLiteral
  | REAL_LITERAL                               #realLiteral
  | HEX_LITERAL                                #hexLiteral
  | BIT_LITERAL                                #bitLiteral
  | NULL_                                       #nullLiteral
  | (TRUE_ | FALSE_)                             #boolLiteral
  | (DATE | TIME | TIMESTAMP) STRING           #temporalLiteral
  ;

ident : IDENTIFIER | QUOTED_IDENTIFIER | nonReservedKeyword ;
nonReservedKeyword
  : TOPIC | TOPICS | EXISTING | PARTITIONS | REPLICAS | COLUMNS | SHARD | FORMAT | PARTITION | HASH | ONE | TAGS | BUSINESS | ID | TYPES | START | AT | NOW | TRANSACTION | SEQUENCE | ON | OFF | DELIVERY | LEAST | EXACTLY | ONCE | DDL | KAFKA | OCEANBASE | MYSQL | MARIADB | ENV | FILE | UNKNOWN | OLD | DATE | TIME | TIMESTAMP | DATETIME | CHAR | CHARACTER | SET | SIGNED | UNSIGNED | INTEGER | INT | DECIMAL | DOUBLE | FLOAT | JSON | YEAR | MICROSECOND | SECOND | MINUTE | HOUR | DAY | WEEK | MONTH | QUARTER | SECOND_MICROSECOND | MINUTE_MICROSECOND | MINUTE_SECOND | HOUR_MICROSECOND | HOUR_SECOND | HOUR_MINUTE | DAY_MICROSECOND | DAY_SECOND | DAY_MINUTE | DAY_HOUR | YEAR_MONTH | LEADING | TRAILING | BOTH | SUBSTRING | SUBSTR | TRIM | POSITION | LEFT_KW | RIGHT_KW | INSERT_KW | IF_KW | REPLACE_KW | DATABASE_KW
  ;

// ---- lexer ----
SEMI: ';';
LEFT_KW: L E F T;
RIGHT_KW: R I G H T;
INSERT_KW: I N S E R T;
IF_KW: I F;
REPLACE_KW: R E P L A C E;
DATABASE_KW: D A T A B A S E;
INCLUDE: I N C L U D E;
SOURCE: S O U R C E;
SINK: S I N K;
PROJECT: P R O J E C T;
SYNC: S Y N C;
TO: T O;
FROM: F R O M;
TOPIC: T O P I C;
TOPICS: T O P I C S;
EXISTING: E X I S T I N G;
PARTITIONS: P A R T I T I O N S;
REPLICAS: R E P L I C A S;
WHERE: W H E R E;
COLUMNS: C O L U M N S;
EXCEPT: E X C E P T;
SHARD: S H A R D;
BY: B Y;
FORMAT: F O R M A T;
PARTITION: P A R T I T I O N;
HASH: H A S H;
ONE: O N E;
TAGS: T A G S;
BUSINESS: B U S I N E S S;
ID: I D;
TYPES: T Y P E S;
START: S T A R T;
AT: A T;
NOW: N O W;
TRANSACTION: T R A N S A C T I O N;
SEQUENCE: S E Q U E N C E;
ON: O N;
OFF: O F F;
DELIVERY: D E L I V E R Y;
LEAST: L E A S T;
EXACTLY: E X A C T L Y;
ONCE: O N C E;
DDL: D D L;
KAFKA: K A F K A;
OCEANBASE: O C E A N B A S E;
MYSQL: M Y S Q L;
MARIADB: M A R I A D B;
ENV: E N V;
FILE: F I L E;
AS: A S;
AND: A N D;
OR: O R;
XOR: X O R;
NOT: N O T;
IS: I S;
NULL_: N U L L;
TRUE_: T R U E;
FALSE_: F A L S E;
UNKNOWN: U N K N O W N;
DISTINCT: D I S T I N C T;
BETWEEN: B E T W E E N;
IN: I N;
LIKE: L I K E;
ESCAPE: E S C A P E;
REGEXP: R E G E X P;
RLIKE: R L I K E;
DIV: D I V;
MOD: M O D;
CASE: C A S E;
WHEN: W H E N;
THEN: T H E N;
ELSE: E L S E;
END: E N D;
CAST: C A S T;
CONVERT: C O N V E R T;
USING: U S I N G;
INTERVAL: I N T E R V A L;
OLD: O L D;
DATE: D A T E;
TIME: T I M E;
TIMESTAMP: T I M E S T A M P;
DATETIME: D A T E T I M E;
COLLATE: C O L L A T E;
BINARY: B I N A R Y;
CHAR: C H A R;
CHARACTER: C H A R A C T E R;
SET: S E T;
SIGNED: S I G N E D;
UNSIGNED: U N S I G N E D;
INTEGER: I N T E G E R;
INT: I N T;
DECIMAL: D E C I M A L;
DOUBLE: D O U B L E;
FLOAT: F L O A T;
JSON: J S O N;
YEAR: Y E A R;
MICROSECOND: M I C R O S E C O N D;
SECOND: S E C O N D;
MINUTE: M I N U T E;
HOUR: H O U R;
DAY: D A Y;
WEEK: W E E K;
MONTH: M O N T H;
QUARTER: Q U A R T E R;
SECOND_MICROSECOND: S E C O N D '_' M I C R O S E C O N D;
MINUTE_MICROSECOND: M I N U T E '_' M I C R O S E C O N D;
MINUTE_SECOND: M I N U T E '_' S E C O N D;
HOUR_MICROSECOND: H O U R '_' M I C R O S E C O N D;
HOUR_SECOND: H O U R '_' S E C O N D;
HOUR_MINUTE: H O U R '_' M I N U T E;
DAY_MICROSECOND: D A Y '_' M I C R O S E C O N D;
DAY_SECOND: D A Y '_' S E C O N D;
DAY_MINUTE: D A Y '_' M I N U T E;
DAY_HOUR: D A Y '_' H O U R;
YEAR_MONTH: Y E A R '_' M O N T H;
LEADING: L E A D I N G;
TRAILING: T R A I L I N G;
BOTH: B O T H;
FOR: F O R;
SUBSTRING: S U B S T R I N G;
SUBSTR: S U B S T R;
TRIM: T R I M;
POSITION: P O S I T I O N;
INTEGER_LITERAL : DIGIT+ ;
DECIMAL_LITERAL : DIGIT+ '.' DIGIT* | '.' DIGIT+ ;
REAL_LITERAL    : (DIGIT+ ('.' DIGIT*)? | '.' DIGIT+) [eE] [+-]? DIGIT+ ;
HEX_LITERAL     : '0x' [0-9a-fA-F]+ | [xX] '\'' [0-9a-fA-F]* '\'' ;
BIT_LITERAL     : '0b' [01]+ | [bB] '\'' [01]* '\'' ;
STRING          : '\'' ( '\\' . | '\'\'' | ~['\\] )* '\'' ;
DQ_STRING       : '"' ( '\\' . | '""' | ~["\\\r\n] )* '"' ;  // reported: strings use single quotes
QUOTED_IDENTIFIER : '`' ( '``' | ~'`' )* '`' ;
IDENTIFIER      : [A-Za-z_] [A-Za-z0-9_$]* ;

LINE_COMMENT    : ('-- ' | '--\t' | '#') ~[\r\n]* -> channel(HIDDEN) ;
EMPTY_LINE_COMMENT : '--' ('\r'? '\n' | EOF) -> channel(HIDDEN) ;
BLOCK_COMMENT   : '/*' .*? '*/' -> channel(HIDDEN) ;
WS              : [ \t\r\n\f]+ -> channel(HIDDEN) ;

UNTERMINATED_STRING : '\'' ( '\\' . | '\'\'' | ~['\\] )* ;
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;  // only a comment that never ends
ERROR_CHAR      : . ;

fragment DIGIT : [0-9] ;
fragment A: [aA];
fragment B: [bB];
fragment C: [cC];
fragment D: [dD];
fragment E: [eE];
fragment F: [fF];
fragment G: [gG];
fragment H: [hH];
fragment I: [iI];
fragment J: [jJ];
fragment K: [kK];
fragment L: [lL];
fragment M: [mM];
fragment N: [nN];
fragment O: [oO];
fragment P: [pP];
fragment Q: [qQ];
fragment R: [rR];
fragment S: [sS];
fragment T: [tT];
fragment U: [uU];
fragment V: [vV];
fragment W: [wW];
fragment X: [xX];
fragment Y: [yY];
fragment Z: [zZ];