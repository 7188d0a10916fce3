/**
 * Pinyin and number phrases that Chinese users build passwords from, most common first, for the
 * password check (passwords.ts adds them to zxcvbn's dictionaries beside the breached-password
 * list). Compiled for this app after the frequency tables of large Chinese password leaks (Li, Han
 * and Xu, "A Large-Scale Empirical Analysis of Chinese Web Passwords", USENIX Security 2014: pinyin
 * words and names, dates and the "I love you" number codes dominate): love phrases, the commonest
 * full names, family words, places, services, and the number codes read as words (5201314, "我爱你
 * 一生一世").
 */
const PHRASES = [
  'woaini', '5201314', '1314520', 'woaini1314', '520520', '521521', '1314521', '5211314', '7758521', '584520',
  'woaiwojia', 'wodemima', 'mima', 'nihao', 'aini', 'aiwo', 'laopo', 'laogong', 'baobei', 'qinai', 'qinaide',
  'xiaobao', 'xiaobai', 'xiaoxiao', 'xiaoming', 'xiaohong', 'xiaoyu', 'xiaolong', 'xiaofeng', 'xiaoqiang',
  'tiantian', 'kuaile', 'xingfu', 'aiqing', 'yongyuan', 'yisheng', 'yishengyishi', 'shengri', 'shengrikuaile',
  'zhongguo', 'zhongguoren', 'woshi', 'woshishui', 'wobuzhidao', 'haohao', 'pingan', 'jiayou', 'xuexi', 'gongzuo',
  'yiersan', 'yiersansi', 'wuliu', 'liuliuliu', 'bababa', 'jiujiu', 'shunli', 'facai', 'gongxifacai',
  'mama', 'baba', 'jiejie', 'gege', 'didi', 'meimei', 'erzi', 'nver', 'nvshen', 'nanshen', 'laoshi', 'tongxue',
  'dage', 'laoda', 'pengyou', 'xiongdi', 'jiaren', 'wojia', 'jiating', 'qingren', 'nanpengyou', 'nvpengyou',
  'taobao', 'baidu', 'weixin', 'weibo', 'zhifubao', 'tengxun', 'wangyi', 'diannao', 'shouji', 'wangluo', 'youxiang',
  'beijing', 'shanghai', 'tianjin', 'chongqing', 'hangzhou', 'ningbo', 'zhejiang', 'jiangsu', 'nanjing', 'suzhou',
  'shaoxing', 'wenzhou', 'cixi', 'guangzhou', 'shenzhen', 'wuhan', 'chengdu', 'xian', 'changsha', 'xiamen',
  'kejiju', 'keji', 'kejiao', 'zhengfu', 'danwei', 'bangong', 'bangongshi', 'gongsi', 'qiye', 'jishu', 'chuangxin',
  'zhangwei', 'wangwei', 'wangfang', 'liwei', 'lina', 'zhangmin', 'lijing', 'wangjing', 'liujing', 'wangxiuying',
  'zhangli', 'lixiuying', 'wangli', 'zhangjing', 'lijun', 'liqiang', 'wangjun', 'zhangyong', 'liuyang', 'liyang',
  'zhangyan', 'chenjie', 'wangyong', 'liming', 'wangqiang', 'zhangjie', 'liuwei', 'wanglei', 'zhanglei', 'liujun',
  'wangyang', 'zhangyang', 'lilei', 'hanmeimei', 'chenjing', 'yangli', 'huangwei', 'zhaowei', 'zhoujie', 'wutao',
  'zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'xiaozhang', 'xiaowang', 'xiaoli', 'xiaoliu', 'xiaochen', 'laowang',
];

/** The commonest surnames (百家姓 by frequency) and given-name syllables, which pad out names and words. */
const NAME_PARTS = [
  'wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo',
  'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng', 'zeng',
  'xiao', 'tian', 'dong', 'yuan', 'pan', 'yu', 'jiang', 'cai', 'jia', 'ding', 'wei', 'xue', 'ye', 'yan', 'lu', 'du',
  'dai', 'xia', 'zhong', 'fu', 'shen', 'ren', 'yao', 'lv', 'cui', 'qian', 'qin', 'fang', 'shi', 'jin', 'tan', 'kong',
  'na', 'min', 'jing', 'qiang', 'lei', 'jun', 'yong', 'jie', 'juan', 'tao', 'ming', 'chao', 'xiulan', 'ping', 'gang',
  'gui', 'hua', 'hong', 'hui', 'bin', 'bo', 'fei', 'peng', 'long', 'ling', 'ting', 'xin', 'yun', 'lan', 'mei', 'qing',
  'feng', 'yi', 'er', 'ai', 'xing', 'kai', 'hao', 'yue', 'xuan', 'rui', 'zi', 'han', 'chen', 'hang', 'yu', 'xi',
];

export const PINYIN_PASSWORD_WORDS: readonly string[] = [...new Set([...PHRASES, ...NAME_PARTS])];
